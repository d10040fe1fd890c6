// The OS open dialog (desktop app only): web mode has none, so pages show a text field for a path on the server.
import type { IAppService } from '../../../preload/contract/app.js';
import { domainOf, lathe } from '../bridge/lathe-client.js';

export const dialogsService = {
  available: (): boolean => lathe.transport === 'electron',
  /** The chosen path; undefined when cancelled or when there is no dialog. */
  async pick(kind: 'file' | 'folder', title?: string): Promise<string | undefined> {
    if (lathe.transport !== 'electron') return undefined;
    const r = await domainOf<IAppService>('app').pickPath(title ? { kind, title } : { kind });
    return r.path;
  },
  /** Shows a file or folder in the OS file manager (desktop only). */
  async reveal(path: string): Promise<void> {
    await domainOf<IAppService>('app').revealPath({ path });
  },
};
