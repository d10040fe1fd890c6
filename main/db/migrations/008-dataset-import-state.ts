// Schema v8: an import writes its rows in short transactions under a dataset row that stays invisible
// ('importing') until one tiny final transaction marks it 'ready'. The owner (pid, host, heartbeat) lets a later
// start tell a killed import's leftovers (removed then) from one still running in another process.
import type { Migration } from './migration.js';

export const datasetImportState: Migration = {
  version: 8,
  name: 'dataset-import-state',
  up(db) {
    db.exec(`
      ALTER TABLE datasets ADD COLUMN state TEXT NOT NULL DEFAULT 'ready';  -- importing | ready
      ALTER TABLE datasets ADD COLUMN import_pid INTEGER;                  -- owner of an 'importing' row
      ALTER TABLE datasets ADD COLUMN import_host TEXT;
      ALTER TABLE datasets ADD COLUMN import_heartbeat TEXT;               -- ISO time of its last written chunk
      CREATE INDEX datasets_importing ON datasets(state) WHERE state <> 'ready';
      DROP INDEX IF EXISTS dataset_rows_hash;
    `);
  },
};
