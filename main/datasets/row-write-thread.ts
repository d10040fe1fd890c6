// Worker-thread entry that writes one import's rows into lathe.db while the importing thread keeps parsing (the second
// core). It owns its connection and an ImportWriter over an 'importing' dataset row the importer created; rows arrive
// as [sourceRow, json, hash, …] chunks, each acknowledged; after the publish it checkpoints the WAL, then exits.
// It does not read, map or validate anything.
import { parentPort, workerData } from 'node:worker_threads';
import type { Mapping } from '../../preload/contract/datasets.js';
import { LatheError } from '../../preload/contract/errors.js';
import { DatasetsStore } from '../db/datasets-store.js';
import { openWorkspaceDb } from '../db/workspace-db.js';

export type ToRowThread =
  | { readonly type: 'rows'; readonly rows: readonly (number | string)[] }
  | { readonly type: 'commit'; readonly skipped: number; readonly shape: string; readonly sha256: string; readonly mapping: Mapping }
  | { readonly type: 'rollback' };

const { dbFile, datasetId } = workerData as { dbFile: string; datasetId: number };
const port = parentPort!;
const db = openWorkspaceDb(dbFile);
const writer = new DatasetsStore(db).resumeImport(datasetId);

port.on('message', (m: ToRowThread) => {
  try {
    if (m.type === 'rows') {
      const r = m.rows;
      for (let i = 0; i < r.length; i += 3) writer.add(r[i] as number, r[i + 1] as string, r[i + 2] as string);
      port.postMessage({ type: 'ack' });
      return;
    }
    if (m.type === 'commit') {
      const dataset = writer.commit(m.skipped, m.shape, m.sha256, m.mapping);
      port.postMessage({ type: 'committed', dataset, stats: writer.stats });
      // The dataset is published; copying the import's WAL into the database file is left to this thread, after.
      writer.checkpoint();
    } else {
      writer.rollback();
      port.postMessage({ type: 'rolledBack' });
    }
  } catch (err) {
    writer.rollback();
    port.postMessage({ type: 'error', error: LatheError.from(err).toJSON() });
  }
  db.close();
  port.close();
});
