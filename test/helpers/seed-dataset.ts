// Seeds a large ready dataset straight into the workspace (its row file written directly, edits by SQL: far faster
// than importing it), for tests of what happens around big datasets (removal, locking). It does not go through the
// import pipeline and checks nothing.
import fs from 'node:fs';
import { RowFile, RowFileWriter, rowFilePath } from '../../main/db/dataset-row-file.js';
import type { WorkspaceDb } from '../../main/db/workspace-db.js';

/**
 * A ready dataset of `rows` imported-looking rows (Chinese text, ~300 bytes a row) in project `projectId`, the first
 * `excluded` of them excluded by the user; returns its id.
 */
export function seedDataset(db: WorkspaceDb, projectId: number, name: string, rows: number, excluded = 0): number {
  const id = Number(
    db
      .prepare("INSERT INTO datasets (project_id, name, source_name, source_sha256, source_size, format, shape, row_count, created_at) VALUES (?, ?, 'x.csv', '', 0, 'csv', 'single', ?, ?)")
      .run(projectId, name, rows, new Date().toISOString()).lastInsertRowid,
  );
  db.prepare("INSERT INTO mappings (dataset_id, mapping, created_at) VALUES (?, '{}', '')").run(id);
  const w = new RowFileWriter(rowFilePath(db.name, id));
  for (let i = 0; i < rows; i++) {
    const record = { kind: 'single', instruction: `我的订单还没有发货，请问什么时候能到？（${i}）`, output: `您好，订单已经发出，预计三天内送达。物流单号 ${i} 已发送到您的手机，请注意查收。` };
    w.add(i + 2, JSON.stringify(record), i);
  }
  w.finish();
  db.prepare('WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?) INSERT INTO dataset_row_edits (dataset_id, idx, excluded) SELECT ?, i, 1 FROM n WHERE ? > 0').run(
    excluded,
    id,
    excluded,
  );
  return id;
}

/** Rows in a dataset's row file; 0 when it has none (never written, or deleted). */
export function storedRowCount(db: WorkspaceDb, datasetId: number): number {
  const file = rowFilePath(db.name, datasetId);
  if (!fs.existsSync(file)) return 0;
  const f = new RowFile(file);
  try {
    return f.idxs().length;
  } finally {
    f.close();
  }
}

/** The user's edits and exclusions of a dataset kept in lathe.db. */
export function editCount(db: WorkspaceDb, datasetId: number): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM dataset_row_edits WHERE dataset_id = ?').get(datasetId) as { n: number }).n;
}
