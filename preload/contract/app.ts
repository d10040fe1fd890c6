// The `app` domain: facts about the running app and its workspace. Nothing here changes state.
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

export interface IAppService {
  info(request: Empty): Promise<AppInfo>;
}

export const appContract = {
  name: 'app',
  requests: { info: Empty },
  events: {
    /** A line for the renderer's notification area (long work finishing in the background, say). */
    notice: z.object({ level: z.enum(['info', 'warning', 'error']), message: z.string() }),
  },
} as const satisfies DomainContract<IAppService>;
