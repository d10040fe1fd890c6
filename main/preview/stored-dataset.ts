// Records of a dataset stored in the workspace (main/datasets' import), with edits applied, excluded rows left
// out and the train/validation split the datasets domain defines. Reads only; never changes the dataset.
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import { DatasetsStore } from '../db/datasets-store.js';
import type { WorkspaceDb } from '../db/workspace-db.js';
import { validationSet } from '../datasets/split.js';

export function storedDatasetRecords(db: WorkspaceDb, id: number, split?: 'train' | 'validation'): NormalisedRecord[] {
  const store = new DatasetsStore(db);
  const d = store.get(id);
  const included = store.includedIdxs(id);
  const keep = new Set(included);
  const val = d.valRatio > 0 ? validationSet(included, d.splitSeed, d.valRatio) : new Set<number>();
  const out: NormalisedRecord[] = [];
  for (const r of store.iterateRows(id)) {
    if (!keep.has(r.idx)) continue;
    if (split && val.has(r.idx) !== (split === 'validation')) continue;
    out.push(JSON.parse(r.edited_record ?? r.record) as NormalisedRecord);
  }
  return out;
}
