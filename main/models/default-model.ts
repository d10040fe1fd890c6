// Where the embedded demo model (data/models/lathe-tiny-llama) is, from sources, from dist/, or packaged.
// Does not create it: scripts/make-tiny-model.mjs does.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LatheError } from '../../preload/contract/errors.js';

export const DEFAULT_MODEL_DIR = join('data', 'models', 'lathe-tiny-llama');

export function defaultModelPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, DEFAULT_MODEL_DIR);
    if (existsSync(join(candidate, 'config.json'))) return candidate;
    dir = dirname(dir);
  }
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources && existsSync(join(resources, DEFAULT_MODEL_DIR, 'config.json'))) return join(resources, DEFAULT_MODEL_DIR);
  throw new LatheError('not_found', 'The embedded demo model is missing: run node scripts/make-tiny-model.mjs.');
}
