// The installed app's root folder (holding package.json, data/, native/build, dist/), from main/ or dist/main/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'data'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

/** Root of the app's own files. In a packaged app this is inside resources/app(.asar). */
export const APP_ROOT = findRoot();

/** Bundled read-only data (demo datasets, templates, the tiny model). */
export const DATA_DIR = path.join(APP_ROOT, 'data');
