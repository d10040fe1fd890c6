// Removes what unfinished imports left in the workspace: those whose process died (killed, crashed, power cut) are
// found at start; a worker thread that dies mid-import is cleaned up by its parent. Deletion goes chunk by chunk,
// yielding between chunks, so neither the main thread nor other writers wait long. It does not touch finished datasets.
import os from 'node:os';
import type { DatasetsStore, ImportingDataset } from '../db/datasets-store.js';

/** A heartbeat older than this means the importing process is gone or hung (it writes a chunk every few ms-s). */
export const STALE_IMPORT_MS = 10 * 60_000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether nobody can still be writing this import: its process is dead on this host, or silent for too long. */
export function importAbandoned(i: ImportingDataset, now = Date.now()): boolean {
  if (i.pid === null) return true;
  const host = os.hostname();
  if (i.pid === process.pid && i.host === host) return false;
  if (i.host === host && !pidAlive(i.pid)) return true;
  const age = i.heartbeatAt ? now - Date.parse(i.heartbeatAt) : Infinity;
  return age > STALE_IMPORT_MS;
}

/** Deletes one unfinished import, a chunk per transaction, leaving the write lock (and this thread) free in between. */
export async function discardImport(store: DatasetsStore, id: number): Promise<void> {
  for (;;) {
    const t0 = performance.now();
    if (store.discardImportChunk(id)) return;
    await new Promise<void>((resolve) => setTimeout(resolve, Math.min(performance.now() - t0, 250)));
  }
}

/** Deletes every abandoned import; returns their ids. */
export async function discardAbandonedImports(store: DatasetsStore): Promise<number[]> {
  const gone = store.importing().filter((i) => importAbandoned(i));
  for (const i of gone) await discardImport(store, i.id);
  return gone.map((i) => i.id);
}
