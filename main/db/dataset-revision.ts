// What a stored dataset's rows say, as one O(1) string that survives restarts: its id, when it was created, its
// source's hash, its size and its revision (bumped by triggers on every edit, exclusion or new split, migration 9).
// Equal strings mean equal rows and split; it says nothing about what changed.
import { LatheError } from '../../preload/contract/errors.js';
import type { WorkspaceDb } from './workspace-db.js';

type Row = { id: number; created_at: string; source_sha256: string; row_count: number; revision: number };
const statements = new WeakMap<WorkspaceDb, { get(id: number): Row | undefined }>();

export function datasetRevision(db: WorkspaceDb, id: number): string {
  let stmt = statements.get(db);
  if (!stmt) {
    stmt = db.prepare<[number], Row>("SELECT id, created_at, source_sha256, row_count, revision FROM datasets WHERE id = ? AND state = 'ready'");
    statements.set(db, stmt);
  }
  const r = stmt.get(id);
  if (!r) throw new LatheError('not_found', `There is no dataset ${id}.`);
  return `${r.id}:${r.created_at}:${r.source_sha256}:${r.row_count}:${r.revision}`;
}
