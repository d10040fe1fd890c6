// Data access for datasets, their rows, edits and mappings. Statements are prepared once per connection. An import
// writes through ImportWriter inside ONE transaction (BEGIN IMMEDIATE … COMMIT), so a failed, cancelled or killed
// import leaves nothing. It does not read source files or validate records.
import type { DatasetDto, Mapping, NormalisedRecord } from '../../preload/contract/datasets.js';
import { LatheError } from '../../preload/contract/errors.js';
import { nowIso } from './clock.js';
import type { WorkspaceDb } from './workspace-db.js';

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

const IMPORT_CACHE_KIB = 64 * 1024;
/** Imports expected to add at least this many rows (and more than the workspace holds) rebuild indexes at the end. */
const BULK_ROWS = 20_000;
/** Rows per multi-row INSERT: fewer statement calls, same transaction. */
const BATCH = 100;

const SELECT = `SELECT d.*, (SELECT m.mapping FROM mappings m WHERE m.dataset_id = d.id ORDER BY m.id DESC LIMIT 1) AS mapping FROM datasets d`;

export class DatasetsStore {
  private readonly listAll;
  private readonly listByProject;
  private readonly getStmt;
  private readonly byNameStmt;
  private readonly byShaStmt;
  private readonly insertDataset;
  private readonly finishDataset;
  private readonly insertRow;
  private readonly insertMapping;
  private readonly deleteStmt;
  private readonly rowStmt;
  private readonly rowsStmt;
  private readonly includedIdxStmt;
  private readonly editStmt;
  private readonly excludeStmt;
  private readonly splitStmt;
  private readonly projectExists;
  private readonly totalRows;
  private readonly rowIndexes;

  constructor(private readonly db: WorkspaceDb) {
    this.listAll = db.prepare<[], DatasetRow>(`${SELECT} ORDER BY d.created_at DESC, d.id DESC`);
    this.listByProject = db.prepare<[number], DatasetRow>(`${SELECT} WHERE d.project_id = ? ORDER BY d.created_at DESC, d.id DESC`);
    this.getStmt = db.prepare<[number], DatasetRow>(`${SELECT} WHERE d.id = ?`);
    this.byNameStmt = db.prepare<[number, string], DatasetRow>(`${SELECT} WHERE d.project_id = ? AND d.name = ?`);
    this.byShaStmt = db.prepare<[number, string], DatasetRow>(`${SELECT} WHERE d.project_id = ? AND d.source_sha256 = ? ORDER BY d.id`);
    this.insertDataset = db.prepare<[number, string, string, string, number, string, string, string, string]>(
      `INSERT INTO datasets (project_id, name, source_name, source_sha256, source_size, format, reader_options, shape, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.finishDataset = db.prepare<[number, number, string, string, number]>('UPDATE datasets SET row_count = ?, skipped_count = ?, shape = ?, source_sha256 = ? WHERE id = ?');
    this.insertRow = db.prepare<[number, number, number, string, string]>('INSERT INTO dataset_rows (dataset_id, idx, source_row, record, content_hash) VALUES (?, ?, ?, ?, ?)');
    this.insertMapping = db.prepare<[number, string, string]>('INSERT INTO mappings (dataset_id, mapping, created_at) VALUES (?, ?, ?)');
    this.deleteStmt = db.prepare<[number]>('DELETE FROM datasets WHERE id = ?');
    this.rowStmt = db.prepare<[number, number], StoredRow>('SELECT idx, source_row, record, edited_record, excluded FROM dataset_rows WHERE dataset_id = ? AND idx = ?');
    this.rowsStmt = db.prepare<[number, number, number], StoredRow>('SELECT idx, source_row, record, edited_record, excluded FROM dataset_rows WHERE dataset_id = ? AND idx >= ? ORDER BY idx LIMIT ?');
    this.includedIdxStmt = db.prepare<[number], { idx: number }>('SELECT idx FROM dataset_rows WHERE dataset_id = ? AND excluded = 0 ORDER BY idx');
    this.editStmt = db.prepare<[string | null, number, number]>('UPDATE dataset_rows SET edited_record = ? WHERE dataset_id = ? AND idx = ?');
    this.excludeStmt = db.prepare<[number, number, number]>('UPDATE dataset_rows SET excluded = ? WHERE dataset_id = ? AND idx = ?');
    this.splitStmt = db.prepare<[number, number, number]>('UPDATE datasets SET split_seed = ?, val_ratio = ? WHERE id = ?');
    this.projectExists = db.prepare<[number], { id: number }>('SELECT id FROM projects WHERE id = ?');
    this.totalRows = db.prepare<[], { n: number }>('SELECT COALESCE(SUM(row_count), 0) AS n FROM datasets');
    this.rowIndexes = db.prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dataset_rows' AND sql IS NOT NULL");
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
    for (let k = 2; this.byNameStmt.get(projectId, candidate); k++) candidate = `${name} (${k})`;
    return candidate;
  }

  requireProject(projectId: number): void {
    if (!this.projectExists.get(projectId)) throw new LatheError('not_found', `There is no project with id ${projectId}.`);
  }

  /**
   * Starts the one transaction of an import. Call commit() or rollback() exactly once. `expectedRows` (a guess from
   * the file size) lets a bulk load into a small workspace drop dataset_rows' secondary indexes and rebuild them
   * before COMMIT: one sort instead of millions of random B-tree inserts. All inside the transaction, so a
   * cancelled or killed import leaves the indexes as they were.
   */
  beginImport(meta: NewDataset, expectedRows = 0): ImportWriter {
    this.requireProject(meta.projectId);
    // A larger page cache while one big transaction builds the row B-tree (the default 2 MB spills constantly).
    this.db.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const rebuild: string[] = [];
      if (expectedRows >= BULK_ROWS && this.totalRows.get()!.n < expectedRows) {
        for (const ix of this.rowIndexes.all()) {
          this.db.exec(`DROP INDEX "${ix.name.replace(/"/g, '""')}"`);
          rebuild.push(ix.sql);
        }
      }
      const name = this.freeName(meta.projectId, meta.name);
      const id = Number(
        this.insertDataset.run(meta.projectId, name, meta.sourceName, meta.sourceSha256, meta.sourceSize, meta.format, JSON.stringify(meta.readerOptions), meta.shape, nowIso()).lastInsertRowid,
      );
      const batch = this.db.prepare(`INSERT INTO dataset_rows (dataset_id, idx, source_row, record, content_hash) VALUES ${Array(BATCH).fill('(?, ?, ?, ?, ?)').join(', ')}`);
      return new ImportWriter(this.db, id, this.insertRow, batch, this.finishDataset, this.insertMapping, () => this.get(id), rebuild);
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  remove(id: number): void {
    if (this.deleteStmt.run(id).changes === 0) throw new LatheError('not_found', `There is no dataset with id ${id}.`);
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

/** Inserts one import's rows inside its transaction. */
export class ImportWriter {
  private idx = 0;
  private open = true;
  private pending: (number | string)[] = [];

  constructor(
    private readonly db: WorkspaceDb,
    readonly datasetId: number,
    private readonly insertRow: { run(...a: [number, number, number, string, string]): unknown },
    private readonly insertBatch: { run(...a: (number | string)[]): unknown },
    private readonly finish: { run(...a: [number, number, string, string, number]): unknown },
    private readonly insertMapping: { run(...a: [number, string, string]): unknown },
    private readonly read: () => DatasetDto,
    private readonly rebuildIndexes: readonly string[] = [],
  ) {}

  get rows(): number {
    return this.idx;
  }

  add(sourceRow: number, recordJson: string, hash: string): void {
    this.pending.push(this.datasetId, this.idx++, sourceRow, recordJson, hash);
    if (this.pending.length === BATCH * 5) {
      this.insertBatch.run(...this.pending);
      this.pending = [];
    }
  }

  private flush(): void {
    const p = this.pending;
    for (let i = 0; i < p.length; i += 5) this.insertRow.run(p[i] as number, p[i + 1] as number, p[i + 2] as number, p[i + 3] as string, p[i + 4] as string);
    this.pending = [];
  }

  /** Final counts, the record shape, the source's SHA-256 (known only once the file was read) and the mapping. */
  commit(skipped: number, shape: string, sourceSha256: string, mapping: Mapping): DatasetDto {
    if (!this.open) throw new Error('import transaction already finished');
    try {
      this.flush();
      for (const sql of this.rebuildIndexes) this.db.exec(sql);
      this.finish.run(this.idx, skipped, shape, sourceSha256, this.datasetId);
      this.insertMapping.run(this.datasetId, JSON.stringify(mapping), nowIso());
      const dto = this.read();
      this.db.exec('COMMIT');
      this.open = false;
      this.db.pragma('cache_size = -2000');
      return dto;
    } catch (err) {
      this.rollback();
      throw err;
    }
  }

  rollback(): void {
    if (!this.open) return;
    this.open = false;
    this.pending = [];
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.db.pragma('cache_size = -2000');
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
