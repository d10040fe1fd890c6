// One process's backend: the workspace opened, every service built, and every contract channel registered on a
// handler table. Electron's main, `lathe serve` and the tests all start here, so they serve identical handlers.
import type { LatheServices } from '../../preload/contract/index.js';
import { EventHub } from '../ipc/event-hub.js';
import { HandlerTable } from '../ipc/handler-table.js';
import { registerServices } from '../ipc/register-services.js';
import { openWorkspace, type Workspace } from '../workspace/workspace.js';
import { createServices } from './create-services.js';

export interface Backend {
  readonly workspace: Workspace;
  readonly events: EventHub;
  readonly services: LatheServices;
  readonly handlers: HandlerTable;
  close(): void;
}

export function startBackend(home: string, transport: 'electron' | 'web'): Backend {
  const workspace = openWorkspace(home);
  const events = new EventHub();
  const services = createServices({ workspace, events, transport });
  const handlers = new HandlerTable();
  registerServices(handlers, services);
  return {
    workspace,
    events,
    services,
    handlers,
    close() {
      for (const s of Object.values(services)) (s as { dispose?: () => void }).dispose?.();
      workspace.close();
    },
  };
}
