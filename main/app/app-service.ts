// The `app` domain's implementation: version, transport and workspace facts for the renderer's status bar.
import fs from 'node:fs';
import type { AppInfo, IAppService, PickPathRequest, PickPathResult, RevealPathRequest } from '../../preload/contract/app.js';
import { errorText, LatheError } from '../../preload/contract/errors.js';
import { schemaVersion } from '../db/workspace-db.js';
import type { ServiceContext } from '../services/service-context.js';
import { LATHE_VERSION } from './version.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const APP_SERVICE_ERROR_CODES = ['err.app.noDialogs', 'err.app.noShowFolder', 'err.app.pathMissing'] as const;
const errText = errorText(APP_SERVICE_ERROR_CODES);

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

  async pickPath({ kind, title, filters }: PickPathRequest): Promise<PickPathResult> {
    if (!this.ctx.dialogs) throw new LatheError('unsupported', 'File dialogs exist in the desktop app only; in the browser, drop or upload the file instead.', undefined, errText('err.app.noDialogs'));
    const path = await this.ctx.dialogs.pickPath(kind, title, filters);
    return path === undefined ? {} : { path };
  }

  async revealPath({ path }: RevealPathRequest): Promise<{ readonly revealed: true }> {
    if (!this.ctx.dialogs) throw new LatheError('unsupported', 'Showing folders exists in the desktop app only; copy the path instead.', undefined, errText('err.app.noShowFolder'));
    if (!fs.existsSync(path)) throw new LatheError('not_found', `${path} does not exist (moved or deleted?).`, undefined, errText('err.app.pathMissing', { path }));
    this.ctx.dialogs.reveal(path);
    return { revealed: true };
  }
}
