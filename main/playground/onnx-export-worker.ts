// The worker thread that merges and writes one ONNX export for the playground (onnx-exporter.ts starts it and
// terminates it to cancel). Does not load or run the model.
import { parentPort, workerData } from 'node:worker_threads';
import { LatheError } from '../../preload/contract/errors.js';
import { exportOnnxHere, type ExportJob } from './onnx-exporter.js';

exportOnnxHere(workerData as ExportJob).then(
  () => parentPort!.postMessage({ ok: true }),
  (err: unknown) => {
    const e = LatheError.from(err);
    parentPort!.postMessage({ ok: false, code: e.code, message: e.message });
  },
);
