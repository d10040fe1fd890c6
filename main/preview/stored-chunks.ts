// A stored dataset's rows, read a chunk (an idx range) at a time over a read-only connection of their own, with
// excluded rows and the other split left out: the statistics worker's source. Only measure-worker.ts imports this,
// so reading rows never happens on the app's main thread (stored-chunks.test.ts checks the import graph).
import { DatasetRowsReader } from '../db/dataset-rows-reader.js';
import { validationSet } from '../datasets/split.js';
import type { ChunkPayload } from './measure-chunk.js';

/** Which dataset a worker reads, and where the workspace database is. */
export interface StoredChunkSpec {
  readonly dbFile: string;
  readonly datasetId: number;
  readonly split?: 'train' | 'validation' | undefined;
}

export interface StoredChunks {
  /** Rows with from ≤ idx < to (to the end when `to` is undefined): the kept ones as JSON text, and how many were read. */
  read(from: number, to: number | undefined): { readonly payload: ChunkPayload; readonly rows: number };
  close(): void;
}

export function openStoredChunks(spec: StoredChunkSpec): StoredChunks {
  const reader = new DatasetRowsReader(spec.dbFile);
  try {
    const d = reader.info(spec.datasetId);
    // The same split the datasets domain defines (split.ts), decided once per worker.
    const val = spec.split && d.valRatio > 0 ? validationSet(reader.includedIdxs(spec.datasetId), d.splitSeed, d.valRatio) : undefined;
    const keep = (idx: number) => !spec.split || (val?.has(idx) ?? false) === (spec.split === 'validation');
    return {
      read(from, to) {
        const rows = reader.rows(spec.datasetId, from, to);
        const indexes: number[] = [];
        const texts: string[] = [];
        for (const r of rows) {
          if (r.excluded !== 0 || !keep(r.idx)) continue;
          indexes.push(r.idx);
          texts.push(r.record);
        }
        return { rows: rows.length, payload: { indexes: Int32Array.from(indexes), texts } };
      },
      close: () => reader.close(),
    };
  } catch (err) {
    reader.close();
    throw err;
  }
}
