// Schema v9: a dataset's revision, bumped by triggers whenever what its rows say changes (an edit, an exclusion, a
// new split), whoever writes. Lets a reader keep what it derived from a dataset across restarts (the preview's
// statistics cache) and check it in O(1). Inserts (imports) and deletes (removal) do not bump it: a dataset is
// ready only once its rows are in, and a removed one is gone.
import type { Migration } from './migration.js';

export const datasetRevision: Migration = {
  version: 9,
  name: 'dataset-revision',
  up(db) {
    db.exec(`
      ALTER TABLE datasets ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
      CREATE TRIGGER dataset_rows_revision AFTER UPDATE OF record, edited_record, excluded ON dataset_rows
      BEGIN
        UPDATE datasets SET revision = revision + 1 WHERE id = NEW.dataset_id;
      END;
      CREATE TRIGGER dataset_split_revision AFTER UPDATE OF split_seed, val_ratio ON datasets
      BEGIN
        UPDATE datasets SET revision = revision + 1 WHERE id = NEW.id;
      END;
    `);
  },
};
