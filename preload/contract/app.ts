// The `app` domain: facts about the running app and its workspace, and the OS's file dialogs (desktop only).
import { z } from 'zod';
import type { DomainContract } from './define.js';

export const AppInfo = z.object({
  name: z.literal('Lathe'),
  version: z.string(),
  /** How the renderer is connected: through Electron's preload, or over web mode's WebSocket. */
  transport: z.enum(['electron', 'web']),
  home: z.string(),
  platform: z.string(),
  schemaVersion: z.number().int(),
});
export type AppInfo = Readonly<z.infer<typeof AppInfo>>;

export const Empty = z.object({}).strict();
export type Empty = z.infer<typeof Empty>;

export const PickPathRequest = z
  .object({
    kind: z.enum(['file', 'folder']),
    title: z.string().max(200).optional(),
    /** e.g. [{ name: 'Spreadsheets', extensions: ['xlsx', 'csv'] }] */
    filters: z.array(z.object({ name: z.string().max(100), extensions: z.array(z.string().regex(/^[A-Za-z0-9*]{1,16}$/)).max(32) })).max(16).optional(),
  })
  .strict();
export type PickPathRequest = z.infer<typeof PickPathRequest>;
/** `path` is absent when the user cancelled. */
export type PickPathResult = { readonly path?: string };

export const RevealPathRequest = z.object({ path: z.string().min(1).max(4096) }).strict();
export type RevealPathRequest = z.infer<typeof RevealPathRequest>;

export interface IAppService {
  info(request: Empty): Promise<AppInfo>;
  /** The OS open dialog. Desktop only: web mode answers `unsupported` (the browser uploads files instead). */
  pickPath(request: PickPathRequest): Promise<PickPathResult>;
  /** Shows a file or folder in the OS file manager (never opens or runs it). Desktop only, like pickPath. */
  revealPath(request: RevealPathRequest): Promise<{ readonly revealed: true }>;
}

export const appContract = {
  name: 'app',
  requests: { info: Empty, pickPath: PickPathRequest, revealPath: RevealPathRequest },
  events: {
    /** A line for the renderer's notification area (long work finishing in the background, say). */
    notice: z.object({ level: z.enum(['info', 'warning', 'error']), message: z.string() }),
  },
} as const satisfies DomainContract<IAppService>;
