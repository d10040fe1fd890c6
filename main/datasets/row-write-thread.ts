// Worker-thread entry that writes one import's rows into lathe.db while the importing thread keeps parsing (the second
// core). It owns its connection and an ImportWriter over an 'importing' dataset row the importer created; records
// arrive chunk by chunk (threaded-row-sink.ts add()), each acknowledged; it builds their JSON and hashes. The same
// file, started again by it with `checkpointer`, copies the WAL into the database file every CHECKPOINT_MS beside the
// writes (PASSIVE: no lock); after the publish the writer checkpoints what is left, then exits. It does not read, map
// or validate anything.
import { fileURLToPath } from 'node:url';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { Mapping } from '../../preload/contract/datasets.js';
import { LatheError } from '../../preload/contract/errors.js';
import { DatasetsStore } from '../db/datasets-store.js';
import { openWorkspaceDb } from '../db/workspace-db.js';
import { cyrb53, hex53, type JsonScan } from './content-hash.js';
import { singleJson } from './record-json.js';

export type ToRowThread =
  | { readonly type: 'rows'; readonly rows: readonly (number | string)[] }
  | { readonly type: 'commit'; readonly skipped: number; readonly shape: string; readonly sha256: string; readonly mapping: Mapping }
  | { readonly type: 'rollback' };

/**
 * How often the checkpointer copies the WAL: about two chunks' worth at full speed. The writer's commits no longer do
 * it (it was a third of the time they held the lock), and left to pile up, the WAL landed on whichever connection
 * committed next — the app's main thread paid 33–140 ms a write during a 1M-row import (scripts/bench/datasets-README.md).
 */
const CHECKPOINT_MS = 100;

const scan: JsonScan = { exact: 0, norm: 0, suspect: false };
const data = workerData as { dbFile: string; datasetId: number; checkpointer?: boolean };
const port = parentPort!;
if (data.checkpointer) checkpointLoop(data.dbFile);
else writeRows(data.dbFile, data.datasetId);

function checkpointLoop(dbFile: string): void {
  const db = openWorkspaceDb(dbFile);
  const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), CHECKPOINT_MS);
  port.once('message', () => {
    clearInterval(timer);
    db.close();
    port.close();
  });
}

function writeRows(dbFile: string, datasetId: number): void {
  const db = openWorkspaceDb(dbFile);
  const writer = new DatasetsStore(db).resumeImport(datasetId);
  writer.leaveCheckpoints();
  const checkpointer = new Worker(fileURLToPath(import.meta.url), { workerData: { dbFile, datasetId, checkpointer: true } });
  const checkpointerEnded = new Promise<void>((resolve) => checkpointer.once('exit', () => resolve()));
  checkpointer.on('error', () => undefined); // a checkpointer that fails only leaves the copying to the end
  let stopped: Promise<void> | null = null;
  const stopCheckpointer = () => (stopped ??= (checkpointer.postMessage('stop'), checkpointerEnded));

  port.on('message', async (m: ToRowThread) => {
    try {
      if (m.type === 'rows') {
        const r = m.rows;
        // Outside the write transaction: this time counts toward the pause left to other writers (locked()).
        for (let i = 0; i < r.length; i += 3) {
          const row = r[i] as number;
          if (row >= 0) {
            const json = singleJson(r[i + 1] as string, r[i + 2] as string, scan);
            writer.add(row, json, hex53(scan.exact));
          } else {
            const json = r[i + 1] as string;
            writer.add(-1 - row, json, hex53(cyrb53(json)));
          }
        }
        port.postMessage({ type: 'ack' });
        return;
      }
      if (m.type === 'commit') {
        const dataset = writer.commit(m.skipped, m.shape, m.sha256, m.mapping);
        port.postMessage({ type: 'committed', dataset, stats: writer.stats });
        // Published. What the checkpointer has not copied yet is copied now (and the WAL file truncated), after.
        await stopCheckpointer();
        writer.checkpoint();
      } else {
        writer.rollback();
        port.postMessage({ type: 'rolledBack' });
      }
    } catch (err) {
      writer.rollback();
      port.postMessage({ type: 'error', error: LatheError.from(err).toJSON() });
    }
    await stopCheckpointer();
    db.close();
    port.close();
  });
}
