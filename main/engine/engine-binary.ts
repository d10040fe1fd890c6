// Finds the lathe-engine executable: $LATHE_ENGINE, else the packaged app's resources/engine/, else the dev build
// under native/build (make or MSVC layouts). Does not build it: `node scripts/build-native.mjs` does.
import fs from 'node:fs';
import path from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';
import { APP_ROOT } from '../app/repo-root.js';

const EXE = process.platform === 'win32' ? 'lathe-engine.exe' : 'lathe-engine';

export function engineCandidates(): string[] {
  const out: string[] = [];
  if (process.env.LATHE_ENGINE) out.push(process.env.LATHE_ENGINE);
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources) out.push(path.join(resources, 'engine', EXE));
  out.push(path.join(APP_ROOT, 'native', 'build', EXE), path.join(APP_ROOT, 'native', 'build', 'Release', EXE));
  return out;
}

export function findEngineBinary(): string | null {
  for (const c of engineCandidates()) {
    try {
      if (fs.statSync(c).isFile()) return c;
    } catch {
      // next candidate
    }
  }
  return null;
}

export function requireEngineBinary(): string {
  const found = findEngineBinary();
  if (found) return found;
  throw new LatheError('engine_error', `The training engine is not built (looked in ${engineCandidates().join(', ')}). Build it with: node scripts/build-native.mjs`);
}
