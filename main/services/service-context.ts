// What every service is constructed with: the open workspace, the event sink, and which transport serves it.
import type { EventSink } from '../ipc/event-hub.js';
import type { Workspace } from '../workspace/workspace.js';

export interface ServiceContext {
  readonly workspace: Workspace;
  readonly events: EventSink;
  readonly transport: 'electron' | 'web';
}
