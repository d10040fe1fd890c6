// The playground's hook for running a model + adapter on onnxruntime (PlaygroundDeps.exporter): an ONNX export job
// into its cache folder, in a worker thread. No verification and no DB record: a cache, not a user's export.
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { LatheError } from '../../preload/contract/errors.js';
import { runExport } from './export-runner.js';

export async function exportOnnxForPlayground(o: { readonly modelDir: string; readonly adapterDir?: string | undefined; readonly outDir: string; readonly signal?: AbortSignal }): Promise<void> {
  if (existsSync(o.outDir)) {
    if (readdirSync(o.outDir).length > 0) throw new LatheError('already_exists', `${o.outDir} is not empty.`, { path: o.outDir });
    // The export renames its finished folder into place, so an empty placeholder must go first.
    rmdirSync(o.outDir);
  }
  await runExport({ format: 'onnx', baseDir: o.modelDir, adapterDir: o.adapterDir ?? null, outDir: o.outDir }, { signal: o.signal });
}
