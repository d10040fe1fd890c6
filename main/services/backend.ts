// One process's backend: the workspace opened, every service built, and every contract channel registered on a
// handler table. Electron's main, `lathe serve` and the tests all start here, so they serve identical handlers.
import type { LatheServices } from '../../preload/contract/index.js';
import { EventHub } from '../ipc/event-hub.js';
import { HandlerTable } from '../ipc/handler-table.js';
import { registerServices } from '../ipc/register-services.js';
import { openWorkspace, type Workspace } from '../workspace/workspace.js';
import { createServices } from './create-services.js';
import type { NativeDialogs } from './service-context.js';
import { seedDemoProject } from '../app/demo-project.js';

export interface Backend {
  readonly workspace: Workspace;
  readonly events: EventHub;
  readonly services: LatheServices;
  readonly handlers: HandlerTable;
  close(): void;
}

export interface BackendOptions {
  /** A fresh workspace gets the demo project (the app and web mode; not tests or the CLI). */
  readonly seedDemo?: boolean;
  /** The system's locale for the demo's names (Electron: app.getLocale()); default demo-project.ts systemLocale(). */
  readonly locale?: string;
  readonly dialogs?: NativeDialogs;
}

export function startBackend(home: string, transport: 'electron' | 'web', options: BackendOptions = {}): Backend {
  const workspace = openWorkspace(home);
  const events = new EventHub();
  const services = createServices({ workspace, events, transport, ...(options.dialogs ? { dialogs: options.dialogs } : {}) });
  const handlers = new HandlerTable();
  registerServices(handlers, services);
  if (options.seedDemo) {
    void seedDemoProject(services, workspace, events, { locale: options.locale }).catch((err: unknown) =>
      events.emit('app.notice', { level: 'warning', message: `The demo project could not be created: ${(err as Error).message}` }),
    );
  }
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
