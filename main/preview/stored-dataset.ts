// Records of a dataset stored in the workspace (main/datasets' import), with edits applied, excluded rows left
// out and the train/validation split the datasets domain defines: all at once (tokenize), a page to show, or one
// row. The statistics read theirs in worker threads (stored-chunks.ts). Reads only; never changes the dataset.
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import { DatasetsStore, type StoredRow } from '../db/datasets-store.js';
import type { WorkspaceDb } from '../db/workspace-db.js';
import { validationSet } from '../datasets/split.js';

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
  try {
    const keep = membership(store, id, split);
    const out: NormalisedRecord[] = [];
    for (const r of store.iterateRows(id)) if (keep(r)) out.push(JSON.parse(r.edited_record ?? r.record) as NormalisedRecord);
    return out;
  } finally {
    store.close();
  }
}

/** Up to `limit` rows of the source from idx `fromIdx` on, for showing in full. */
export function storedRows(db: WorkspaceDb, id: number, split: Split, fromIdx: number, limit: number): { idx: number; record: NormalisedRecord }[] {
  const store = new DatasetsStore(db);
  try {
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
  } finally {
    store.close();
  }
}

/** Row `idx` of a stored dataset, excluded or not. */
export function storedRow(db: WorkspaceDb, id: number, idx: number): { record: NormalisedRecord; excluded: boolean } {
  const store = new DatasetsStore(db);
  let r: StoredRow;
  try {
    r = store.row(id, idx);
  } finally {
    store.close();
  }
  return { record: JSON.parse(r.edited_record ?? r.record) as NormalisedRecord, excluded: r.excluded === 1 };
}
