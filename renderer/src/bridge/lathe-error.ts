// The renderer's copy of the bridge's error: rebuilt from the serialised {name, code, message, details, messageCode,
// messageParams}, and shown to people in their language where main gave the message a code (i18n/main-message-text.ts).
// (The renderer imports the contract's types only, so this small class lives here.)
import type { ErrorCode, SerializedError } from '../../../preload/contract/index.js';
import { translateMainMessage } from '../i18n/main-message-text.js';
import type { Language } from '../i18n/translate.js';

export class LatheError extends Error {
  override readonly name = 'LatheError';
  constructor(
    readonly code: ErrorCode | 'disconnected',
    message: string,
    readonly details?: unknown,
    readonly messageCode?: string,
    readonly messageParams?: Readonly<Record<string, string | number>>,
  ) {
    super(message);
  }

  static fromSerialized(e: SerializedError): LatheError {
    return new LatheError(e.code as ErrorCode, e.message, e.details, e.messageCode, e.messageParams);
  }
}

// The language errors are shown in. The store keeps it in step with the user's choice (bound-store.ts), so the many
// `messageOf(err)` call sites in slices need not reach into the app slice; a message already shown keeps the
// language it was shown in.
let errorLanguage: Language = 'en';

export function setErrorLanguage(lang: Language): void {
  errorLanguage = lang;
}

/** What to show a person for any failure: our message (translated where main gave it a code), never a stack trace. */
export function messageOf(err: unknown, lang: Language = errorLanguage): string {
  if (err instanceof LatheError) return translateMainMessage(lang, { message: err.message, code: err.messageCode, params: err.messageParams });
  if (err instanceof Error) return err.message;
  return String(err);
}
