// Worker scripts bundled from the TypeScript sources for tests (the app runs the compiled ones from dist/): one
// esbuild bundle per entry and test process, removed when the process exits. It does not start workers.
import * as esbuild from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const built = new Map<string, Promise<string>>();

/** The bundled script of a worker entry given relative to the repository root (e.g. 'main/preview/measure-worker.ts'). */
export function bundledWorker(entry: string): Promise<string> {
  let p = built.get(entry);
  if (!p) {
    const outfile = path.join(root, 'node_modules', '.cache', 'lathe-test', `${path.basename(entry, '.ts')}-${process.pid}.mjs`);
    p = esbuild
      .build({ entryPoints: [path.join(root, entry)], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile, logLevel: 'silent' })
      .then(() => {
        process.once('exit', () => rmSync(outfile, { force: true }));
        return outfile;
      });
    built.set(entry, p);
  }
  return p;
}
