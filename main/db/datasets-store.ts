// Data access for datasets, their rows, edits and mappings. Statements are prepared once per connection. An import
// writes its rows into the dataset's own row file (dataset-row-file.ts) through ImportWriter (dataset-import-writer.ts)
// under an invisible 'importing' dataset row, so a failed, cancelled or killed import shows nothing and never holds
// lathe.db's write lock for long; the user's edits and exclusions are kept in lathe.db (dataset-row-edits.ts) and
// applied to the rows read here. A removed dataset is hidden at once ('removing'), then its edits are deleted in short
// transactions and its file deleted. It does not read source files or validate records.
import fs from 'node:fs';
import os from 'node:os';
import type { DatasetDto, Mapping, NormalisedRecord } from '../../preload/contract/datasets.js';
import { LatheError } from '../../preload/contract/errors.js';
import { nowIso } from './clock.js';
import { discardChunk, ImportWriter } from './dataset-import-writer.js';
import { RowEdits, withoutIdxs, type StoredRow } from './dataset-row-edits.js';
import { deleteRowFile, RowFile, rowFileIds, rowFilePath } from './dataset-row-file.js';
import type { WorkspaceDb } from './workspace-db.js';

export { ImportWriter } from './dataset-import-writer.js';
export type { StoredRow } from './dataset-row-edits.js';

/** Row files kept open per store (a few statements each); older ones are closed. */
const OPEN_ROW_FILES = 8;

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

/** Which rows a search keeps besides its text (the split is decided apart, split.ts). */
export type RowMatchFilter = 'all' | 'excluded' | 'edited' | 'included' | 'duplicates';

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
  private readonly edits: RowEdits;
  /** Open row files by dataset id, least recently used first, each with the file identity it was opened as. */
  private readonly files = new Map<number, { file: RowFile; ino: number; mtimeMs: number; size: number }>();
  private readonly splitStmt;
  private readonly projectExists;
  private readonly idsStmt;

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
    this.edits = new RowEdits(db);
    this.splitStmt = db.prepare<[number, number, number]>('UPDATE datasets SET split_seed = ?, val_ratio = ? WHERE id = ?');
    this.projectExists = db.prepare<[number], { id: number }>("SELECT id FROM projects WHERE id = ? AND state = 'ready'");
    this.idsStmt = db.prepare<[], number>('SELECT id FROM datasets').pluck();
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
   * unfinished import). Its edits and file stay until deleteRemovedChunk() has deleted them, a chunk of edits per
   * transaction.
   */
  remove(id: number): void {
    if (this.hideStmt.run(id).changes === 0) throw new LatheError('not_found', `There is no dataset with id ${id}.`);
    this.closeFile(id);
  }

  /** Removed datasets not all deleted yet (a removal in progress, or cut short by a kill). */
  removing(): number[] {
    return this.removingStmt.all();
  }

  /** Deletes part of a removed dataset (never of another dataset); true once nothing of it is left. */
  deleteRemovedChunk(id: number): boolean {
    this.closeFile(id);
    return discardChunk(this.db, id, 'removing');
  }

  /**
   * Deletes row files no dataset owns any more (a removal whose file Windows would not let go, a migration that
   * failed half-way); returns their dataset ids. Safe beside imports: a dataset row exists before its file.
   */
  sweepRowFiles(): number[] {
    const known = new Set(this.idsStmt.all());
    const orphans = rowFileIds(this.db.name).filter((id) => !known.has(id));
    for (const id of orphans) deleteRowFile(this.db.name, id);
    return orphans;
  }

  row(id: number, idx: number): StoredRow {
    const r = this.file(id).row(idx);
    if (!r) throw new LatheError('not_found', `Dataset ${id} has no row ${idx}.`);
    return this.edits.apply(id, r);
  }

  /** Up to `limit` rows from position `fromIdx`, in order. */
  rows(id: number, fromIdx: number, limit: number): StoredRow[] {
    return this.edits.applyAll(id, this.file(id).rowsFrom(fromIdx, limit));
  }

  /** Every row in order, without loading them all (export). */
  *iterateRows(id: number): Generator<StoredRow> {
    let from = 0;
    for (;;) {
      const batch = this.rows(id, from, 5000);
      if (batch.length === 0) return;
      yield* batch;
      from = batch[batch.length - 1]!.idx + 1;
    }
  }

  /**
   * Positions (in order) of the rows whose effective record (the edit when there is one) contains `search`
   * (case-insensitive for ASCII; '' = any) and that pass `filter`. Ints only, so a million matches are a few MB.
   */
  matchingIdxs(id: number, search: string, filter: RowMatchFilter): number[] {
    const file = this.file(id);
    // The positions the filter itself keeps (null: every row; 'included' is every row but the excluded, below).
    const among = filter === 'excluded' ? this.edits.excluded(id) : filter === 'edited' ? this.edits.edited(id).map((e) => e.idx) : filter === 'duplicates' ? file.duplicates() : null;
    const idxs = search === '' ? (among ?? file.idxs()) : this.searchIdxs(id, file, search, among);
    return filter === 'included' ? withoutIdxs(idxs, this.edits.excluded(id)) : idxs;
  }

  /**
   * The positions among `among` (all when null) whose effective record contains `search`: the file's records where
   * there is no edit, the edit where there is one. Records are JSON text, so the needle is JSON-escaped the same way.
   */
  private searchIdxs(id: number, file: RowFile, search: string, among: readonly number[] | null): number[] {
    const needle = JSON.stringify(search).slice(1, -1);
    const lower = asciiLower(needle);
    const edited = this.edits.edited(id);
    const editedIdxs = edited.map((e) => e.idx);
    const hits = withoutIdxs(file.search(needle), editedIdxs);
    for (const e of edited) if (asciiLower(e.edited_record).includes(lower)) hits.push(e.idx);
    hits.sort((a, b) => a - b);
    if (among === null) return hits;
    const keep = new Set(among);
    return hits.filter((i) => keep.has(i));
  }

  includedIdxs(id: number): number[] {
    return withoutIdxs(this.file(id).idxs(), this.edits.excluded(id));
  }

  edit(id: number, idx: number, record: NormalisedRecord | null): void {
    this.row(id, idx);
    this.edits.setEdit(id, idx, record === null ? null : JSON.stringify(record));
  }

  exclude(id: number, idx: number, excluded: boolean): void {
    this.row(id, idx);
    this.edits.setExcluded(id, idx, excluded);
  }

  setSplit(id: number, seed: number, valRatio: number): void {
    this.get(id);
    this.splitStmt.run(seed, valRatio, id);
  }

  /**
   * The dataset's row file, opened once and kept (LRU). A ready dataset's file never changes; but ids can come back
   * after a dataset is deleted, so a kept file is checked to still be the one on disk.
   */
  private file(id: number): RowFile {
    const path = rowFilePath(this.db.name, id);
    let st: fs.Stats;
    try {
      st = fs.statSync(path);
    } catch {
      this.get(id); // not_found for a dataset that is not there (or not finished)
      throw new LatheError('io_error', `The rows of dataset ${id} are missing: ${path} does not exist.`, { file: path });
    }
    const kept = this.files.get(id);
    if (kept) {
      this.files.delete(id);
      if (kept.ino === st.ino && kept.mtimeMs === st.mtimeMs && kept.size === st.size) {
        this.files.set(id, kept);
        return kept.file;
      }
      kept.file.close();
    }
    this.get(id); // never an unfinished import's file (its writer holds it) nor a removed dataset's
    const file = new RowFile(path);
    this.files.set(id, { file, ino: st.ino, mtimeMs: st.mtimeMs, size: st.size });
    for (const [old, f] of this.files) {
      if (this.files.size <= OPEN_ROW_FILES) break;
      f.file.close();
      this.files.delete(old);
    }
    return file;
  }

  /** Closes a kept row file (before it is deleted: Windows cannot delete an open file). */
  private closeFile(id: number): void {
    this.files.get(id)?.file.close();
    this.files.delete(id);
  }

  /** Closes every kept row file. */
  close(): void {
    for (const f of this.files.values()) f.file.close();
    this.files.clear();
  }
}

/** Lower-cases ASCII letters only, as SQLite's lower() does. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
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
