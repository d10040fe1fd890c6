// Seeds a large ready dataset straight by SQL (far faster than importing it), for tests of what happens around big
// datasets (removal, locking). It does not go through the import pipeline and checks nothing.
import type { WorkspaceDb } from '../../main/db/workspace-db.js';

/** A ready dataset of `rows` imported-looking rows (Chinese text, ~300 bytes a row) in project `projectId`; returns its id. */
export function seedDataset(db: WorkspaceDb, projectId: number, name: string, rows: number): number {
  const id = Number(
    db
      .prepare("INSERT INTO datasets (project_id, name, source_name, source_sha256, source_size, format, shape, row_count, created_at) VALUES (?, ?, 'x.csv', '', 0, 'csv', 'single', ?, ?)")
      .run(projectId, name, rows, new Date().toISOString()).lastInsertRowid,
  );
  db.prepare("INSERT INTO mappings (dataset_id, mapping, created_at) VALUES (?, '{}', '')").run(id);
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
     INSERT INTO dataset_rows (dataset_id, idx, source_row, record, content_hash)
     SELECT ?, i, i + 2, json_object('kind', 'single', 'instruction', '我的订单还没有发货，请问什么时候能到？（' || i || '）',
       'output', '您好，订单已经发出，预计三天内送达。物流单号 ' || i || ' 已发送到您的手机，请注意查收。'), printf('%014x', i) FROM n`,
  ).run(rows, id);
  return id;
}
