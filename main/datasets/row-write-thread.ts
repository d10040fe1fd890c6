// Worker-thread entry that writes one import's rows into its row file while the importing thread keeps parsing (the
// second core). It owns its connection to lathe.db and an ImportWriter over an 'importing' dataset row the importer
// created; records arrive chunk by chunk (threaded-row-sink.ts add()), each acknowledged; it builds their JSON and
// content hashes. It does not read, map or validate anything.
import { parentPort, workerData } from 'node:worker_threads';
import type { Mapping } from '../../preload/contract/datasets.js';
import { LatheError } from '../../preload/contract/errors.js';
import { DatasetsStore } from '../db/datasets-store.js';
import { openWorkspaceDb } from '../db/workspace-db.js';
import { cyrb53 } from './content-hash.js';

export type ToRowThread =
  | { readonly type: 'rows'; readonly rows: readonly (number | string)[] }
  | { readonly type: 'commit'; readonly skipped: number; readonly shape: string; readonly sha256: string; readonly mapping: Mapping }
  | { readonly type: 'rollback' };

const data = workerData as { dbFile: string; datasetId: number };
const port = parentPort!;
writeRows(data.dbFile, data.datasetId);

function writeRows(dbFile: string, datasetId: number): void {
  const db = openWorkspaceDb(dbFile);
  const writer = new DatasetsStore(db).resumeImport(datasetId);

  port.on('message', (m: ToRowThread) => {
    try {
      if (m.type === 'rows') {
        const r = m.rows;
        for (let i = 0; i < r.length; i += 3) {
          const row = r[i] as number;
          // A plain single record's JSON, exactly as JSON.stringify({kind, instruction, output}) writes it.
          const json = row >= 0 ? `{"kind":"single","instruction":${JSON.stringify(r[i + 1])},"output":${JSON.stringify(r[i + 2])}}` : (r[i + 1] as string);
          writer.add(row >= 0 ? row : -1 - row, json, cyrb53(json));
        }
        port.postMessage({ type: 'ack' });
        return;
      }
      if (m.type === 'commit') {
        const dataset = writer.commit(m.skipped, m.shape, m.sha256, m.mapping);
        port.postMessage({ type: 'committed', dataset, stats: writer.stats });
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
}
