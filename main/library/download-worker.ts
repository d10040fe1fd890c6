// Worker-thread entry for the library's heavy work (a model download with its hashing, or hashing one file for a
// full check), so none of it runs on Electron's main thread. Runs one task, posts coalesced progress and the end.
import { parentPort, workerData } from 'node:worker_threads';
import { LatheError } from '../../preload/contract/errors.js';
import { runDownloadTask, runHashTask, SnapshotCoalescer, type BackgroundTask, type MainToWorker, type WorkerToMain } from './background-task.js';

const task = workerData as BackgroundTask;
const port = parentPort!;
const ac = new AbortController();
port.on('message', (m: MainToWorker) => {
  if (m.type === 'cancel') ac.abort();
});
const post = (m: WorkerToMain) => port.postMessage(m);
const progress = new SnapshotCoalescer(100, (snapshot) => post({ type: 'progress', snapshot }));

try {
  const result = task.type === 'download' ? await runDownloadTask(task, { signal: ac.signal, onProgress: (s) => progress.push(s) }) : await runHashTask(task, { signal: ac.signal });
  progress.flush();
  post({ type: 'done', result });
} catch (err) {
  progress.flush();
  post({ type: 'error', error: LatheError.from(err).toJSON() });
} finally {
  port.close();
}
