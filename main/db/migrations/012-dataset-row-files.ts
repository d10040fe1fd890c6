// Schema v12: a dataset's imported rows move out of lathe.db into a row file of their own (dataset-row-file.ts), so
// an import writes without holding lathe.db's write lock; the user's edits and exclusions stay in lathe.db, in a table
// that holds changed positions only. Each ready dataset's rows are copied into its file here (fsynced before this
// migration commits; a failed migration leaves files that the next attempt rewrites). Unfinished and removed datasets
// get no file: their rows were on their way out anyway.
import type { Migration } from './migration.js';
import { cyrb53 } from '../../datasets/content-hash.js';
import { RowFileWriter, rowFilePath } from '../dataset-row-file.js';

export const datasetRowFiles: Migration = {
  version: 12,
  name: 'dataset-row-files',
  up(db) {
    db.exec(`
      CREATE TABLE dataset_row_edits (
        dataset_id     INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        idx            INTEGER NOT NULL,           -- the row's position in the dataset (its row file's idx)
        edited_record  TEXT,                       -- JSON: the user's edit; the original stays in the row file
        excluded       INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (dataset_id, idx)
      ) WITHOUT ROWID;
      INSERT INTO dataset_row_edits (dataset_id, idx, edited_record, excluded)
        SELECT r.dataset_id, r.idx, r.edited_record, r.excluded FROM dataset_rows r JOIN datasets d ON d.id = r.dataset_id
        WHERE d.state = 'ready' AND (r.edited_record IS NOT NULL OR r.excluded <> 0);
      CREATE TRIGGER dataset_row_edits_insert AFTER INSERT ON dataset_row_edits
      BEGIN UPDATE datasets SET revision = revision + 1 WHERE id = NEW.dataset_id; END;
      CREATE TRIGGER dataset_row_edits_update AFTER UPDATE ON dataset_row_edits
      BEGIN UPDATE datasets SET revision = revision + 1 WHERE id = NEW.dataset_id; END;
      CREATE TRIGGER dataset_row_edits_delete AFTER DELETE ON dataset_row_edits
      BEGIN UPDATE datasets SET revision = revision + 1 WHERE id = OLD.dataset_id; END;
      DROP TRIGGER IF EXISTS dataset_rows_revision;
    `);
    const ready = db.prepare<[], number>("SELECT id FROM datasets WHERE state = 'ready' ORDER BY id").pluck().all();
    const rows = db.prepare<[number], [number, number, string]>('SELECT idx, source_row, record FROM dataset_rows WHERE dataset_id = ? ORDER BY idx').raw();
    for (const id of ready) {
      const w = new RowFileWriter(rowFilePath(db.name, id));
      try {
        // A row file's positions are 0, 1, 2 … as imports always wrote them; edits refer to them.
        let next = 0;
        for (const [idx, sourceRow, record] of rows.iterate(id)) {
          if (idx !== next++) throw new Error(`dataset ${id} lacks its row at position ${next - 1}`);
          // The hash as row files keep it: the record's cyrb53 as a number (it was stored as 14 hex digits).
          w.add(sourceRow, record, cyrb53(record));
        }
        w.finish();
      } catch (err) {
        w.abort();
        throw err;
      }
    }
    db.exec('DROP TABLE dataset_rows');
  },
};
