// A read-only connection of its own to the workspace database, for reading a stored dataset's rows off the main
// thread (the preview statistics worker). WAL lets it read while main and import threads write. It never writes,
// never migrates (the app's own connection did that) and holds no state beyond its prepared statements.
import Database from 'better-sqlite3';
import { LatheError } from '../../preload/contract/errors.js';
import { sqliteNativeBinding } from './sqlite-binding.js';

export interface DatasetSplitInfo {
  readonly rowCount: number;
  readonly splitSeed: number;
  readonly valRatio: number;
}

/** One row as the statistics read it: the effective record (the edit when there is one) and whether it is excluded. */
export interface RowForReading {
  readonly idx: number;
  readonly record: string;
  readonly excluded: number;
}

export class DatasetRowsReader {
  private readonly db: Database.Database;
  private readonly infoStmt: Database.Statement<[number], { row_count: number; split_seed: number; val_ratio: number }>;
  private readonly rangeStmt: Database.Statement<[number, number, number], RowForReading>;
  private readonly tailStmt: Database.Statement<[number, number], RowForReading>;
  private readonly includedStmt: Database.Statement<[number], number>;

  constructor(file: string) {
    const nativeBinding = sqliteNativeBinding();
    try {
      this.db = new Database(file, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
    } catch (err) {
      throw new LatheError('io_error', `Cannot open the workspace database ${file} for reading: ${(err as Error).message}`);
    }
    // An import's or an edit's short write transaction may hold a lock for a moment.
    this.db.pragma('busy_timeout = 5000');
    this.infoStmt = this.db.prepare("SELECT row_count, split_seed, val_ratio FROM datasets WHERE id = ? AND state = 'ready'");
    const cols = 'SELECT idx, coalesce(edited_record, record) AS record, excluded FROM dataset_rows WHERE dataset_id = ?';
    this.rangeStmt = this.db.prepare(`${cols} AND idx >= ? AND idx < ? ORDER BY idx`);
    this.tailStmt = this.db.prepare(`${cols} AND idx >= ? ORDER BY idx`);
    this.includedStmt = this.db.prepare<[number], number>('SELECT idx FROM dataset_rows WHERE dataset_id = ? AND excluded = 0 ORDER BY idx').pluck();
  }

  info(id: number): DatasetSplitInfo {
    const d = this.infoStmt.get(id);
    if (!d) throw new LatheError('not_found', `There is no dataset ${id}.`);
    return { rowCount: d.row_count, splitSeed: d.split_seed, valRatio: d.val_ratio };
  }

  /** Rows with fromIdx ≤ idx < toIdx (to the end when toIdx is undefined), in order. */
  rows(id: number, fromIdx: number, toIdx: number | undefined): RowForReading[] {
    return toIdx === undefined ? this.tailStmt.all(id, fromIdx) : this.rangeStmt.all(id, fromIdx, toIdx);
  }

  includedIdxs(id: number): number[] {
    return this.includedStmt.all(id);
  }

  close(): void {
    this.db.close();
  }
}
