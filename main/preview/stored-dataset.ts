// Records of a dataset stored in the workspace (main/datasets' import), with edits applied, excluded rows left
// out and the train/validation split the datasets domain defines: all at once (tokenize), a chunk at a time (the
// statistics), or one row. Reads only; never changes the dataset.
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import { DatasetsStore, type StoredRow } from '../db/datasets-store.js';
import type { WorkspaceDb } from '../db/workspace-db.js';
import { validationSet } from '../datasets/split.js';
import type { MeasureSource } from './measure-job.js';

type Split = 'train' | 'validation' | undefined;

/** Whether a row belongs to the source: included, and in the split when one is asked for. */
function membership(store: DatasetsStore, id: number, split: Split): (r: StoredRow) => boolean {
  if (!split) return (r) => r.excluded === 0;
  const d = store.get(id);
  const val = d.valRatio > 0 ? validationSet(store.includedIdxs(id), d.splitSeed, d.valRatio) : new Set<number>();
  return (r) => r.excluded === 0 && val.has(r.idx) === (split === 'validation');
}

export function storedDatasetRecords(db: WorkspaceDb, id: number, split?: 'train' | 'validation'): NormalisedRecord[] {
  const store = new DatasetsStore(db);
  const keep = membership(store, id, split);
  const out: NormalisedRecord[] = [];
  for (const r of store.iterateRows(id)) if (keep(r)) out.push(JSON.parse(r.edited_record ?? r.record) as NormalisedRecord);
  return out;
}

/** The dataset a chunk of rows (by idx) at a time, as JSON text with each record's idx; a chunk may keep none. */
export function storedSource(db: WorkspaceDb, id: number, split: Split, chunkSize = 2000): MeasureSource {
  const store = new DatasetsStore(db);
  const total = store.get(id).rowCount;
  const keep = membership(store, id, split);
  let from = 0;
  return {
    total,
    next() {
      const rows = store.rows(id, from, chunkSize);
      if (rows.length === 0) return null;
      from = rows[rows.length - 1]!.idx + 1;
      const kept = rows.filter(keep);
      return { rows: rows.length, payload: { indexes: Int32Array.from(kept, (r) => r.idx), texts: kept.map((r) => r.edited_record ?? r.record) } };
    },
  };
}

/** Up to `limit` rows of the source from idx `fromIdx` on, for showing in full. */
export function storedRows(db: WorkspaceDb, id: number, split: Split, fromIdx: number, limit: number): { idx: number; record: NormalisedRecord }[] {
  const store = new DatasetsStore(db);
  store.get(id);
  const keep = membership(store, id, split);
  const out: { idx: number; record: NormalisedRecord }[] = [];
  for (let from = fromIdx; out.length < limit; ) {
    const rows = store.rows(id, from, 500);
    if (rows.length === 0) break;
    for (const r of rows) if (keep(r) && out.length < limit) out.push({ idx: r.idx, record: JSON.parse(r.edited_record ?? r.record) as NormalisedRecord });
    from = rows[rows.length - 1]!.idx + 1;
  }
  return out;
}

/** Row `idx` of a stored dataset, excluded or not. */
export function storedRow(db: WorkspaceDb, id: number, idx: number): { record: NormalisedRecord; excluded: boolean } {
  const r = new DatasetsStore(db).row(id, idx);
  return { record: JSON.parse(r.edited_record ?? r.record) as NormalisedRecord, excluded: r.excluded === 1 };
}
