// The `app` domain's implementation: version, transport and workspace facts for the renderer's status bar.
import type { AppInfo, IAppService } from '../../preload/contract/app.js';
import { schemaVersion } from '../db/workspace-db.js';
import type { ServiceContext } from '../services/service-context.js';
import { LATHE_VERSION } from './version.js';

export class AppService implements IAppService {
  constructor(private readonly ctx: ServiceContext) {}

  async info(): Promise<AppInfo> {
    return {
      name: 'Lathe',
      version: LATHE_VERSION,
      transport: this.ctx.transport,
      home: this.ctx.workspace.paths.home,
      platform: process.platform,
      schemaVersion: schemaVersion(this.ctx.workspace.db),
    };
  }
}
