// A read-only connection of its own to the workspace database and the dataset's row file, for reading a stored
// dataset's rows off the main thread (the preview statistics worker). WAL lets it read while main and import threads
// write. It never writes, never migrates (the app's own connection did that) and holds no state beyond its prepared
// statements and the row file it read last.
import Database from 'better-sqlite3';
import { LatheError } from '../../preload/contract/errors.js';
import { RowEdits, withoutIdxs } from './dataset-row-edits.js';
import { RowFile, rowFilePath } from './dataset-row-file.js';
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
  private readonly edits: RowEdits;
  private kept: { id: number; file: RowFile } | null = null;

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
    this.edits = new RowEdits(this.db, true);
  }

  info(id: number): DatasetSplitInfo {
    const d = this.infoStmt.get(id);
    if (!d) throw new LatheError('not_found', `There is no dataset ${id}.`);
    return { rowCount: d.row_count, splitSeed: d.split_seed, valRatio: d.val_ratio };
  }

  /** Rows with fromIdx ≤ idx < toIdx (to the end when toIdx is undefined), in order. */
  rows(id: number, fromIdx: number, toIdx: number | undefined): RowForReading[] {
    const rows = this.edits.applyAll(id, this.file(id).rowsBetween(fromIdx, toIdx ?? Number.MAX_SAFE_INTEGER));
    return rows.map((r) => ({ idx: r.idx, record: r.edited_record ?? r.record, excluded: r.excluded }));
  }

  includedIdxs(id: number): number[] {
    return withoutIdxs(this.file(id).idxs(), this.edits.excluded(id));
  }

  /** The dataset's row file; the last one is kept open (a statistics pass reads one dataset range by range). */
  private file(id: number): RowFile {
    if (this.kept?.id === id) return this.kept.file;
    this.kept?.file.close();
    this.kept = null;
    this.info(id); // not_found for a dataset that is not (or no longer) ready
    this.kept = { id, file: new RowFile(rowFilePath(this.db.name, id)) };
    return this.kept.file;
  }

  close(): void {
    this.kept?.file.close();
    this.kept = null;
    this.db.close();
  }
}
