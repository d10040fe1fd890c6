// A stamp of the whole workspace database that changes whenever anything is written to it, by this connection
// (SQLite's total_changes) or another one (PRAGMA data_version: import workers, writer threads). O(1): lets a
// reader reuse what it derived from the data while the stamp stays the same. It says nothing about what changed.
import type { WorkspaceDb } from './workspace-db.js';

const statements = new WeakMap<WorkspaceDb, { get(): unknown }>();

export function changeStamp(db: WorkspaceDb): string {
  let own = statements.get(db);
  if (!own) statements.set(db, (own = db.prepare('SELECT total_changes()').pluck()));
  return `${String(own.get())}:${String(db.pragma('data_version', { simple: true }))}`;
}
