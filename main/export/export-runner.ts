// Runs an export job in a worker thread (so Electron's main thread never merges or quantises), relaying progress
// and cancel. From TypeScript sources (tests, no build) there is no compiled worker: the job then runs inline.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LatheError } from '../../preload/contract/errors.js';
import { runExportJob, type ExportJobResult, type ExportJobSpec, type JobContext } from './export-job.js';

/** The compiled worker beside this module (dist/main/export/export-worker.js), when there is one. */
export function defaultWorkerFile(): string | null {
  const file = fileURLToPath(new URL('./export-worker.js', import.meta.url));
  return existsSync(file) ? file : null;
}

export function runExport(spec: ExportJobSpec, ctx: JobContext = {}, workerFile: string | null = defaultWorkerFile()): Promise<ExportJobResult> {
  if (!workerFile) return runExportJob(spec, ctx);
  return new Promise<ExportJobResult>((resolve, reject) => {
    const worker = new Worker(workerFile, { workerData: { spec } });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      ctx.signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = () => worker.postMessage({ type: 'cancel' });
    if (ctx.signal?.aborted) onAbort();
    ctx.signal?.addEventListener('abort', onAbort);
    worker.on('message', (m: { type: string; progress?: Parameters<NonNullable<JobContext['onProgress']>>[0]; result?: ExportJobResult; error?: { code: string; message: string; details?: unknown } }) => {
      if (m.type === 'progress' && m.progress) ctx.onProgress?.(m.progress);
      else if (m.type === 'done' && m.result) finish(() => resolve(m.result!));
      else if (m.type === 'error' && m.error) finish(() => reject(LatheError.fromSerialized({ name: 'LatheError', ...m.error! })));
    });
    worker.on('error', (err) => finish(() => reject(LatheError.from(err))));
    worker.on('exit', (code) => finish(() => reject(new LatheError('internal', `The export worker stopped unexpectedly (exit code ${code}).`))));
  });
}
