// The smallest surface handlers are registered against: Electron's ipcMain, web mode's WebSocket and tests all
// provide it, so every handler is written once and exercised without Electron.
export interface CallerInfo {
  /** 'electron' for the app's own window, 'web' for an authenticated WebSocket, 'test' in-process. */
  readonly transport: 'electron' | 'web' | 'test';
}

export type Handler = (caller: CallerInfo, payload: unknown) => Promise<unknown>;

export interface IpcLike {
  handle(channel: string, handler: Handler): void;
}
