// The translatable part of a message main writes for people: a stable dotted `code` and its `params`, sent beside the
// English text (which the CLI prints). The renderer shows `main.<code>` in the user's language (i18n/main-message.ts).
// Types and zod only; which codes exist is declared by each producer in main.
import { z } from 'zod';

export const MessageCode = z.string().max(100);
export const MessageParams = z.record(z.string(), z.union([z.string(), z.number()]));
export type MessageParams = Readonly<Record<string, string | number>>;

/** A note or warning from main for people: English `message` (CLI) plus its translatable code and params. */
export const Notice = z.object({ code: MessageCode, params: MessageParams, message: z.string() });
export type Notice = Readonly<{ code: string; params: MessageParams; message: string }>;

/** A message whose code may be missing (text from a part of main without codes yet): shown as its English text. */
export const MessageText = z.object({ message: z.string(), code: MessageCode.optional(), params: MessageParams.optional() });
export type MessageText = Readonly<{ message: string; code?: string | undefined; params?: MessageParams | undefined }>;
