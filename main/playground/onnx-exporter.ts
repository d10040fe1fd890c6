// The playground's ONNX exporter: a plain model folder (+ adapter) merged and written as `model.onnx` by the export
// engineer's writer (main/onnx), in a worker thread so the app's main thread stays free (inline from TypeScript
// sources, in tests). A thin adapter; the caching and atomic rename are onnx-model-source.ts's.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LatheError, type ErrorCode } from '../../preload/contract/errors.js';
import { MergedWeights } from '../export/merged-weights.js';
import { writeOnnx } from '../onnx/onnx-export.js';
import type { OnnxExporter } from './onnx-model-source.js';

const WORKER_FILE = fileURLToPath(new URL('./onnx-export-worker.js', import.meta.url));

export interface ExportJob {
  readonly modelDir: string;
  readonly adapterDir: string | null;
  readonly outDir: string;
}

/** Merges and writes in this thread. */
export async function exportOnnxHere(job: ExportJob, signal?: AbortSignal): Promise<void> {
  const w = await MergedWeights.open(job.modelDir, job.adapterDir);
  try {
    await writeOnnx(w, job.modelDir, job.outDir, signal ? { signal } : {});
  } finally {
    await w.close();
  }
}

function inWorker(job: ExportJob, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const worker = new Worker(WORKER_FILE, { workerData: job });
    const onAbort = () => void worker.terminate();
    signal?.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    const end = (err?: LatheError) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    worker.on('message', (m: { ok: true } | { ok: false; code: string; message: string }) => end(m.ok ? undefined : new LatheError(m.code as ErrorCode, m.message)));
    worker.on('error', (e) => end(new LatheError('internal', `The ONNX export failed: ${e.message}`)));
    worker.on('exit', () => end(signal?.aborted ? new LatheError('cancelled', 'The ONNX export was cancelled.') : new LatheError('internal', 'The ONNX export worker exited early.')));
  });
}

export const playgroundOnnxExporter: OnnxExporter = (o) => {
  const job: ExportJob = { modelDir: o.modelDir, adapterDir: o.adapterDir ?? null, outDir: o.outDir };
  return fs.existsSync(WORKER_FILE) ? inWorker(job, o.signal) : exportOnnxHere(job, o.signal);
};
