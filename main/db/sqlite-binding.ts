// Which compiled better-sqlite3 binding to load. Plain Node (CLI, web mode, tests) uses the package's own build;
// Electron needs one built for its ABI, kept apart in native-modules/electron/ (scripts/rebuild-electron.mjs).
import fs from 'node:fs';
import path from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';
import { APP_ROOT } from '../app/repo-root.js';

export function sqliteNativeBinding(): string | undefined {
  if (!process.versions.electron) return undefined;
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  const candidates = [
    ...(resources ? [path.join(resources, 'native-modules', 'electron', 'better_sqlite3.node')] : []),
    path.join(APP_ROOT, 'native-modules', 'electron', 'better_sqlite3.node'),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) {
    throw new LatheError('unsupported', 'The desktop app needs better-sqlite3 built for Electron. Run `npm run rebuild:electron` (needs internet), or use web mode: npm run serve');
  }
  return found;
}
