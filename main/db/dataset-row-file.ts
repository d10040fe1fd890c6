// A dataset's imported rows live in a file of their own beside lathe.db (dataset-rows/<id>.sqlite), written once by
// its import and never changed after: the import then writes with no lock that other writers wait on, no WAL to copy
// twice, and no pause for their sake; removing a dataset deletes a file. Edits and exclusions are not kept here
// (dataset-row-edits.ts, in lathe.db). The file is published by the dataset row in lathe.db turning 'ready' only after
// it was fsynced, so a killed import leaves at most an unpublished file, which the next start deletes.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LatheError } from '../../preload/contract/errors.js';
import { fsyncDir } from './fsync-dir.js';
import { sqliteNativeBinding } from './sqlite-binding.js';

/** One stored row as imported (the edit overlay is applied by the store). */
export interface ImportedRow {
  idx: number;
  source_row: number;
  record: string;
}

/** Marks a row file as Lathe's (PRAGMA application_id), and its layout (user_version). */
const APPLICATION_ID = 0x4c617468; // "Lath"
const FORMAT_VERSION = 1;
/** Rows per multi-row INSERT (4 parameters a row): fewer calls into SQLite than one statement a row. */
const BATCH = 250;
/** Where row files live, relative to the folder of lathe.db. */
const FOLDER = 'dataset-rows';

/** The folder of a workspace's row files (beside its lathe.db). */
export function rowFileFolder(dbFile: string): string {
  return path.join(path.dirname(dbFile), FOLDER);
}

/** The row file of dataset `datasetId` (an integer id: nothing a user typed reaches the path). */
export function rowFilePath(dbFile: string, datasetId: number): string {
  return path.join(rowFileFolder(dbFile), `${Math.trunc(datasetId)}.sqlite`);
}

/** The dataset ids of the row files in the folder (and of leftovers of SQLite files beside them). */
export function rowFileIds(dbFile: string): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(rowFileFolder(dbFile));
  } catch {
    return [];
  }
  const ids = new Set<number>();
  for (const n of names) {
    const m = /^(\d+)\.sqlite(?:-journal|-wal|-shm)?$/.exec(n);
    if (m) ids.add(Number(m[1]));
  }
  return [...ids].sort((a, b) => a - b);
}

/**
 * Deletes a row file and whatever SQLite left beside it; false when it could not (Windows refuses to delete a file
 * another process has open: the next start's sweep deletes it then).
 */
export function deleteRowFile(dbFile: string, datasetId: number): boolean {
  const file = rowFilePath(dbFile, datasetId);
  let ok = true;
  for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) {
    try {
      fs.rmSync(f, { force: true });
    } catch {
      ok = false;
    }
  }
  return ok;
}

function open(file: string, readonly: boolean): Database.Database {
  const nativeBinding = sqliteNativeBinding();
  return new Database(file, { readonly, fileMustExist: readonly, ...(nativeBinding ? { nativeBinding } : {}) });
}

/**
 * Writes a new row file: rows in idx order (0, 1, 2 …) in one transaction with no journal (nothing is published
 * before finish(), and an unfinished file is deleted, never repaired), fsynced by finish().
 */
export class RowFileWriter {
  private readonly db: Database.Database;
  private readonly insertBatch: Database.Statement;
  private readonly insertRow: Database.Statement;
  private batch: (number | string)[] = [];
  private idx = 0;
  private open = true;

  constructor(private readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    for (const f of [file, `${file}-journal`]) fs.rmSync(f, { force: true });
    this.db = open(file, false);
    try {
      this.db.pragma('journal_mode = OFF');
      this.db.pragma('synchronous = OFF');
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma(`application_id = ${APPLICATION_ID}`);
      this.db.pragma(`user_version = ${FORMAT_VERSION}`);
      // idx is the rowid: rows are appended to the table's B-tree in order, the cheapest insert SQLite has. The hash is
      // the record JSON's cyrb53 as an integer (content-hash.ts). Both, and 8 KiB pages, cut the insert's CPU by about
      // a third against text hashes in 4 KiB pages (1M rows: 1.0-1.2 s vs 1.4-1.5 s, a standalone loop).
      this.db.pragma('page_size = 8192');
      this.db.exec('CREATE TABLE rows (idx INTEGER PRIMARY KEY, source_row INTEGER NOT NULL, record TEXT NOT NULL, content_hash INTEGER NOT NULL)');
      this.insertBatch = this.db.prepare(`INSERT INTO rows VALUES ${Array(BATCH).fill('(?, ?, ?, ?)').join(', ')}`);
      this.insertRow = this.db.prepare('INSERT INTO rows VALUES (?, ?, ?, ?)');
      this.db.exec('BEGIN');
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  /** Rows added so far. */
  get rows(): number {
    return this.idx;
  }

  /** Appends the next row (idx = rows so far). */
  add(sourceRow: number, recordJson: string, hash: number): void {
    const b = this.batch;
    b.push(this.idx++, sourceRow, recordJson, hash);
    if (b.length === BATCH * 4) {
      this.insertBatch.run(b);
      this.batch = [];
    }
  }

  /** Writes what is buffered, commits, closes and fsyncs the file (and its folder's entry for it). */
  finish(): void {
    if (!this.open) throw new Error('row file already finished');
    const b = this.batch;
    for (let i = 0; i < b.length; i += 4) this.insertRow.run(b[i], b[i + 1], b[i + 2], b[i + 3]);
    this.batch = [];
    this.db.exec('COMMIT');
    this.db.close();
    this.open = false;
    const fd = fs.openSync(this.file, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fsyncDir(path.dirname(this.file));
  }

  /** Stops writing and deletes the file. */
  abort(): void {
    if (this.open) {
      this.open = false;
      try {
        this.db.close();
      } catch {
        // closing a connection that failed half-way; the file goes anyway
      }
    }
    for (const f of [this.file, `${this.file}-journal`]) fs.rmSync(f, { force: true });
  }
}

/** Reads a published row file; it never changes, so any number of connections (threads, processes) read it at once. */
export class RowFile {
  private readonly db: Database.Database;
  private readonly oneStmt: Database.Statement<[number], ImportedRow>;
  private readonly fromStmt: Database.Statement<[number, number], ImportedRow>;
  private readonly rangeStmt: Database.Statement<[number, number], ImportedRow>;
  private readonly idxsStmt: Database.Statement<[], number>;
  private readonly searchStmt: Database.Statement<[string], number>;
  private readonly duplicatesStmt: Database.Statement<[], number>;

  constructor(readonly file: string) {
    try {
      this.db = open(file, true);
      if (this.db.pragma('application_id', { simple: true }) !== APPLICATION_ID) throw new Error('not a Lathe row file');
      if (this.db.pragma('user_version', { simple: true }) !== FORMAT_VERSION) throw new Error('written by another version of Lathe');
    } catch (err) {
      throw new LatheError('io_error', `Cannot read the dataset rows in ${file}: ${(err as Error).message}`, { file });
    }
    this.oneStmt = this.db.prepare('SELECT idx, source_row, record FROM rows WHERE idx = ?');
    this.fromStmt = this.db.prepare('SELECT idx, source_row, record FROM rows WHERE idx >= ? ORDER BY idx LIMIT ?');
    this.rangeStmt = this.db.prepare('SELECT idx, source_row, record FROM rows WHERE idx >= ? AND idx < ? ORDER BY idx');
    this.idxsStmt = this.db.prepare<[], number>('SELECT idx FROM rows ORDER BY idx').pluck();
    // Records are JSON text, so a JSON-escaped needle is found in the text the way the record shows it; lower()
    // folds ASCII only (other scripts, Chinese, have no case to fold).
    this.searchStmt = this.db.prepare<[string], number>('SELECT idx FROM rows WHERE instr(lower(record), lower(?)) > 0 ORDER BY idx').pluck();
    this.duplicatesStmt = this.db
      .prepare<[], number>('SELECT idx FROM rows WHERE content_hash IN (SELECT content_hash FROM rows GROUP BY content_hash HAVING COUNT(*) > 1) ORDER BY idx')
      .pluck();
  }

  row(idx: number): ImportedRow | undefined {
    return this.oneStmt.get(idx);
  }

  /** Up to `limit` rows from position `fromIdx`, in order. */
  rowsFrom(fromIdx: number, limit: number): ImportedRow[] {
    return this.fromStmt.all(fromIdx, limit);
  }

  /** Rows with fromIdx ≤ idx < toIdx, in order. */
  rowsBetween(fromIdx: number, toIdx: number): ImportedRow[] {
    return this.rangeStmt.all(fromIdx, toIdx);
  }

  /** Every position, in order (ints only: a million are a few MB). */
  idxs(): number[] {
    return this.idxsStmt.all();
  }

  /** Positions whose imported record's JSON contains `jsonNeedle` (already JSON-escaped), ASCII case folded. */
  search(jsonNeedle: string): number[] {
    return this.searchStmt.all(jsonNeedle);
  }

  /** Positions whose imported record has the same content hash as another's. */
  duplicates(): number[] {
    return this.duplicatesStmt.all();
  }

  close(): void {
    this.db.close();
  }
}
