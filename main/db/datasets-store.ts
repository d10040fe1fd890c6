// Data access for datasets, their rows, edits and mappings. Statements are prepared once per connection. An import
// writes through ImportWriter (dataset-import-writer.ts) in short transactions under an invisible 'importing'
// dataset row, so a failed, cancelled or killed import shows nothing and never blocks other writers for long; a
// removed dataset is hidden at once ('removing') and its rows deleted in such short transactions afterwards.
// It does not read source files or validate records.
import os from 'node:os';
import type { DatasetDto, Mapping, NormalisedRecord } from '../../preload/contract/datasets.js';
import { LatheError } from '../../preload/contract/errors.js';
import { nowIso } from './clock.js';
import { discardChunk, ImportWriter } from './dataset-import-writer.js';
import type { Statement } from 'better-sqlite3';
import type { WorkspaceDb } from './workspace-db.js';

export { ImportWriter } from './dataset-import-writer.js';

interface DatasetRow {
  id: number;
  project_id: number;
  name: string;
  source_name: string;
  source_sha256: string;
  source_size: number;
  format: string;
  reader_options: string;
  shape: string;
  row_count: number;
  skipped_count: number;
  split_seed: number;
  val_ratio: number;
  created_at: string;
  mapping: string | null;
}

export interface StoredRow {
  idx: number;
  source_row: number;
  record: string;
  edited_record: string | null;
  excluded: number;
}

/** Which rows a search keeps besides its text: the SQL-decidable filters (the split is decided in JS, split.ts). */
export type RowMatchFilter = 'all' | 'excluded' | 'edited' | 'included' | 'duplicates';
const MATCH_FILTERS: readonly RowMatchFilter[] = ['all', 'excluded', 'edited', 'included', 'duplicates'];
const FILTER_SQL: Record<RowMatchFilter, string> = {
  all: '',
  excluded: ' AND excluded = 1',
  edited: ' AND edited_record IS NOT NULL',
  included: ' AND excluded = 0',
  // The subquery runs once per statement (not correlated) over the (dataset_id, content_hash) index.
  duplicates: ' AND content_hash IN (SELECT content_hash FROM dataset_rows WHERE dataset_id = @id GROUP BY content_hash HAVING COUNT(*) > 1)',
};
// Records are stored as JSON text, so a substring of the effective record's JSON is a substring of its text once the
// needle is JSON-escaped the same way (quotes, backslashes, newlines). lower() folds ASCII only; other scripts
// (Chinese) have no case to fold.
const SEARCH_SQL = ' AND instr(lower(coalesce(edited_record, record)), lower(@search)) > 0';

export interface NewDataset {
  readonly projectId: number;
  readonly name: string;
  readonly sourceName: string;
  /** May be '' at the start: ImportWriter.commit sets it. */
  readonly sourceSha256: string;
  readonly sourceSize: number;
  readonly format: string;
  readonly readerOptions: Readonly<Record<string, unknown>>;
  readonly shape: string;
}

/** An unfinished import as recorded in the workspace: who writes it, and when it last wrote. */
export interface ImportingDataset {
  readonly id: number;
  readonly pid: number | null;
  readonly host: string | null;
  readonly heartbeatAt: string | null;
}

/** Only finished imports are datasets as far as anyone reading is concerned. */
const SELECT = `SELECT d.*, (SELECT m.mapping FROM mappings m WHERE m.dataset_id = d.id ORDER BY m.id DESC LIMIT 1) AS mapping FROM datasets d WHERE d.state = 'ready'`;

export class DatasetsStore {
  private readonly listAll;
  private readonly listByProject;
  private readonly getStmt;
  private readonly byNameStmt;
  private readonly byShaStmt;
  private readonly insertDataset;
  private readonly nameTaken;
  private readonly importingStmt;
  private readonly hideStmt;
  private readonly removingStmt;
  private readonly rowStmt;
  private readonly rowsStmt;
  private readonly includedIdxStmt;
  private readonly editStmt;
  private readonly excludeStmt;
  private readonly splitStmt;
  private readonly projectExists;
  private readonly matchStmts = new Map<string, Statement<[{ id: number; search?: string }], number>>();

  constructor(private readonly db: WorkspaceDb) {
    this.listAll = db.prepare<[], DatasetRow>(`${SELECT} ORDER BY d.created_at DESC, d.id DESC`);
    this.listByProject = db.prepare<[number], DatasetRow>(`${SELECT} AND d.project_id = ? ORDER BY d.created_at DESC, d.id DESC`);
    this.getStmt = db.prepare<[number], DatasetRow>(`${SELECT} AND d.id = ?`);
    this.byNameStmt = db.prepare<[number, string], DatasetRow>(`${SELECT} AND d.project_id = ? AND d.name = ?`);
    this.byShaStmt = db.prepare<[number, string], DatasetRow>(`${SELECT} AND d.project_id = ? AND d.source_sha256 = ? ORDER BY d.id`);
    // Names are unique per project including unfinished imports (the UNIQUE constraint sees them).
    this.nameTaken = db.prepare<[number, string], { id: number }>('SELECT id FROM datasets WHERE project_id = ? AND name = ?');
    this.insertDataset = db.prepare<[number, string, string, string, number, string, string, string, string, number, string, string]>(
      `INSERT INTO datasets (project_id, name, source_name, source_sha256, source_size, format, reader_options, shape, created_at, state, import_pid, import_host, import_heartbeat)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'importing', ?, ?, ?)`,
    );
    this.importingStmt = db.prepare<[], { id: number; import_pid: number | null; import_host: string | null; import_heartbeat: string | null }>(
      "SELECT id, import_pid, import_host, import_heartbeat FROM datasets WHERE state = 'importing' ORDER BY id",
    );
    // The name is freed at once (names are unique per project, hidden datasets included): a tombstone no one types.
    this.hideStmt = db.prepare<[number]>("UPDATE datasets SET state = 'removing', name = char(0) || 'removed ' || id WHERE id = ? AND state = 'ready'");
    // A removed project's datasets are deleted by the project's removal (projects-store.ts), in the same chunks.
    this.removingStmt = db.prepare<[], number>(
      "SELECT id FROM datasets WHERE state = 'removing' AND project_id NOT IN (SELECT id FROM projects WHERE state = 'removing') ORDER BY id",
    ).pluck();
    this.rowStmt = db.prepare<[number, number], StoredRow>('SELECT idx, source_row, record, edited_record, excluded FROM dataset_rows WHERE dataset_id = ? AND idx = ?');
    this.rowsStmt = db.prepare<[number, number, number], StoredRow>('SELECT idx, source_row, record, edited_record, excluded FROM dataset_rows WHERE dataset_id = ? AND idx >= ? ORDER BY idx LIMIT ?');
    this.includedIdxStmt = db.prepare<[number], { idx: number }>('SELECT idx FROM dataset_rows WHERE dataset_id = ? AND excluded = 0 ORDER BY idx');
    this.editStmt = db.prepare<[string | null, number, number]>('UPDATE dataset_rows SET edited_record = ? WHERE dataset_id = ? AND idx = ?');
    this.excludeStmt = db.prepare<[number, number, number]>('UPDATE dataset_rows SET excluded = ? WHERE dataset_id = ? AND idx = ?');
    this.splitStmt = db.prepare<[number, number, number]>('UPDATE datasets SET split_seed = ?, val_ratio = ? WHERE id = ?');
    this.projectExists = db.prepare<[number], { id: number }>("SELECT id FROM projects WHERE id = ? AND state = 'ready'");
    for (const filter of MATCH_FILTERS) {
      for (const search of [false, true]) {
        const sql = `SELECT idx FROM dataset_rows WHERE dataset_id = @id${search ? SEARCH_SQL : ''}${FILTER_SQL[filter]} ORDER BY idx`;
        this.matchStmts.set(`${filter}:${search}`, db.prepare<[{ id: number; search?: string }], number>(sql).pluck());
      }
    }
  }

  list(projectId?: number): DatasetDto[] {
    return (projectId === undefined ? this.listAll.all() : this.listByProject.all(projectId)).map(toDto);
  }

  get(id: number): DatasetDto {
    const row = this.getStmt.get(id);
    if (!row) throw new LatheError('not_found', `There is no dataset with id ${id}.`);
    return toDto(row);
  }

  findByName(projectId: number, name: string): DatasetDto | undefined {
    const row = this.byNameStmt.get(projectId, name);
    return row ? toDto(row) : undefined;
  }

  /** Datasets of the project imported from a file with this SHA-256 (re-import detection). */
  findBySource(projectId: number, sha256: string): DatasetDto[] {
    return this.byShaStmt.all(projectId, sha256).map(toDto);
  }

  /** `name`, or `name (2)`, `name (3)` … whichever is free in the project. */
  freeName(projectId: number, name: string): string {
    let candidate = name;
    for (let k = 2; this.nameTaken.get(projectId, candidate); k++) candidate = `${name} (${k})`;
    return candidate;
  }

  requireProject(projectId: number): void {
    if (!this.projectExists.get(projectId)) throw new LatheError('not_found', `There is no project with id ${projectId}.`);
  }

  /**
   * Starts an import: one short transaction adds the dataset row in state 'importing' (invisible to list/get, owned by
   * this process). Rows then go in through the writer's own short transactions; call commit() or rollback() once.
   */
  beginImport(meta: NewDataset): ImportWriter {
    const id = this.db.transaction(() => {
      this.requireProject(meta.projectId);
      const name = this.freeName(meta.projectId, meta.name);
      const now = nowIso();
      return Number(
        this.insertDataset.run(meta.projectId, name, meta.sourceName, meta.sourceSha256, meta.sourceSize, meta.format, JSON.stringify(meta.readerOptions), meta.shape, now, process.pid, os.hostname(), now)
          .lastInsertRowid,
      );
    }).immediate();
    return new ImportWriter(this.db, id, () => this.get(id));
  }

  /** Continues writing an unfinished import from another connection (a writer thread); the importer created it. */
  resumeImport(id: number): ImportWriter {
    return new ImportWriter(this.db, id, () => this.get(id));
  }

  /** The database file this store writes (a writer thread opens its own connection to it). */
  get dbFile(): string {
    return this.db.name;
  }

  /** Unfinished imports: running in some process, or left by one that was killed. */
  importing(): ImportingDataset[] {
    return this.importingStmt.all().map((r) => ({ id: r.id, pid: r.import_pid, host: r.import_host, heartbeatAt: r.import_heartbeat }));
  }

  /** Deletes part of an unfinished import (never a finished dataset); true once nothing of it is left. */
  discardImportChunk(id: number): boolean {
    return discardChunk(this.db, id);
  }

  /**
   * Removes a dataset as far as anyone can see, in one tiny transaction: it becomes 'removing' (hidden like an
   * unfinished import). Its rows stay until deleteRemovedChunk() has deleted them, a chunk per transaction: deleting
   * millions of rows at once held the write lock for seconds.
   */
  remove(id: number): void {
    if (this.hideStmt.run(id).changes === 0) throw new LatheError('not_found', `There is no dataset with id ${id}.`);
  }

  /** Removed datasets whose rows are not all deleted yet (a removal in progress, or cut short by a kill). */
  removing(): number[] {
    return this.removingStmt.all();
  }

  /** Deletes part of a removed dataset's rows (never of another dataset); true once nothing of it is left. */
  deleteRemovedChunk(id: number): boolean {
    return discardChunk(this.db, id, 'removing');
  }

  row(id: number, idx: number): StoredRow {
    const r = this.rowStmt.get(id, idx);
    if (!r) throw new LatheError('not_found', `Dataset ${id} has no row ${idx}.`);
    return r;
  }

  /** Up to `limit` rows from position `fromIdx`, in order. */
  rows(id: number, fromIdx: number, limit: number): StoredRow[] {
    return this.rowsStmt.all(id, fromIdx, limit);
  }

  /** Every row in order, without loading them all (export). */
  *iterateRows(id: number): Generator<StoredRow> {
    let from = 0;
    for (;;) {
      const batch = this.rowsStmt.all(id, from, 5000);
      if (batch.length === 0) return;
      yield* batch;
      from = batch[batch.length - 1]!.idx + 1;
    }
  }

  /**
   * Positions (in order) of the rows whose effective record (the edit when there is one) contains `search`
   * (case-insensitive; '' = any) and that pass `filter`. One pass over the dataset's rows; ints only, so a million
   * matches are a few MB.
   */
  matchingIdxs(id: number, search: string, filter: RowMatchFilter): number[] {
    const stmt = this.matchStmts.get(`${filter}:${search !== ''}`)!;
    return stmt.all(search === '' ? { id } : { id, search: JSON.stringify(search).slice(1, -1) });
  }

  includedIdxs(id: number): number[] {
    return this.includedIdxStmt.all(id).map((r) => r.idx);
  }

  edit(id: number, idx: number, record: NormalisedRecord | null): void {
    this.row(id, idx);
    this.editStmt.run(record === null ? null : JSON.stringify(record), id, idx);
  }

  exclude(id: number, idx: number, excluded: boolean): void {
    this.row(id, idx);
    this.excludeStmt.run(excluded ? 1 : 0, id, idx);
  }

  setSplit(id: number, seed: number, valRatio: number): void {
    this.get(id);
    this.splitStmt.run(seed, valRatio, id);
  }
}

function toDto(r: DatasetRow): DatasetDto {
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    sourceName: r.source_name,
    sourceSha256: r.source_sha256,
    sourceSize: r.source_size,
    format: r.format,
    readerOptions: JSON.parse(r.reader_options) as Record<string, unknown>,
    shape: r.shape,
    rowCount: r.row_count,
    skippedCount: r.skipped_count,
    splitSeed: r.split_seed,
    valRatio: r.val_ratio,
    mapping: r.mapping ? (JSON.parse(r.mapping) as Mapping) : null,
    createdAt: r.created_at,
  };
}
