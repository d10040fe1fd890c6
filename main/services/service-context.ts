// What every service is constructed with: the open workspace, the event sink, and which transport serves it.
import type { EventSink } from '../ipc/event-hub.js';
import type { Workspace } from '../workspace/workspace.js';

/** OS dialogs, provided by Electron's main process; absent in web mode and headless use. */
export interface NativeDialogs {
  pickPath(kind: 'file' | 'folder', title?: string, filters?: readonly { name: string; extensions: readonly string[] }[]): Promise<string | undefined>;
  /** Shows the item in the file manager, selected; never opens or executes it. */
  reveal(path: string): void;
}

export interface ServiceContext {
  readonly workspace: Workspace;
  readonly events: EventSink;
  readonly transport: 'electron' | 'web';
  readonly dialogs?: NativeDialogs;
}
