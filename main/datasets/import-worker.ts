// Worker-thread entry for imports: opens its own connection to the workspace database (WAL lets the main thread
// keep reading), runs one task, posts progress and the result. It does not touch Electron or the renderer.
import { parentPort, workerData } from 'node:worker_threads';
import { LatheError } from '../../preload/contract/errors.js';
import { DatasetsStore } from '../db/datasets-store.js';
import { openWorkspaceDb } from '../db/workspace-db.js';
import { runTask, type ImportTask, type MainToWorker, type WorkerToMain } from './import-task.js';
import { rowThreadsSettled } from './threaded-row-sink.js';

const { dbFile, task } = workerData as { dbFile: string; task: ImportTask };
const port = parentPort!;
const ac = new AbortController();
port.on('message', (m: MainToWorker) => {
  if (m.type === 'cancel') ac.abort();
});
const post = (m: WorkerToMain) => port.postMessage(m);

const db = openWorkspaceDb(dbFile);
try {
  const result = await runTask(new DatasetsStore(db), task, {
    signal: ac.signal,
    onProgress: (progress) => post({ type: 'progress', progress }),
    onDataset: (datasetId) => post({ type: 'dataset', datasetId }),
    onWritten: (stats) => post({ type: 'written', stats }),
  });
  post({ type: 'done', result });
  await rowThreadsSettled(); // a writer thread checkpointing the published import's WAL; ending now would kill it
} catch (err) {
  post({ type: 'error', error: LatheError.from(err).toJSON() });
} finally {
  db.close();
  port.close();
}
