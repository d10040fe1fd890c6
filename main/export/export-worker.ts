// Worker-thread entry of an export: runs export-job.ts off the caller's thread, posts progress, obeys `cancel`.
// Holds no state between jobs: one worker per export.
import { parentPort, workerData } from 'node:worker_threads';
import { LatheError } from '../../preload/contract/errors.js';
import { runExportJob, type ExportJobSpec } from './export-job.js';

const port = parentPort;
if (port) {
  const controller = new AbortController();
  port.on('message', (m: { type?: string }) => {
    if (m?.type === 'cancel') controller.abort();
  });
  runExportJob((workerData as { spec: ExportJobSpec }).spec, {
    signal: controller.signal,
    onProgress: (p) => port.postMessage({ type: 'progress', progress: p }),
  }).then(
    (result) => port.postMessage({ type: 'done', result }),
    (err: unknown) => port.postMessage({ type: 'error', error: LatheError.from(err).toJSON() }),
  );
}
