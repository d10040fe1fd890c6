// Writes one import's rows into the dataset's own row file (dataset-row-file.ts) under a dataset row in state
// 'importing', which no listing shows; once the file is complete and fsynced, one tiny transaction in lathe.db makes
// the dataset 'ready'. lathe.db's write lock is taken only for that, and for a heartbeat every few seconds (which also
// notices a dataset removed under the import), so other writers never wait on an import. Rollback, leftovers of killed
// imports and removed datasets are deleted here too. It does not read sources, validate records or decide what is
// abandoned (main/datasets does).
import type { DatasetDto, Mapping } from '../../preload/contract/datasets.js';
import { nowIso } from './clock.js';
import { deleteRowFile, RowFileWriter, rowFilePath } from './dataset-row-file.js';
import { RowEdits } from './dataset-row-edits.js';
import type { WorkspaceDb } from './workspace-db.js';

/** Rows a writer thread is handed at a time (threaded-row-sink.ts): ~1 MB of records. */
export const CHUNK_ROWS = 4000;
/** Rows (edits of a removed dataset, metrics of a removed project's runs) deleted per transaction. */
export const DISCARD_ROWS = 5000;
/** How often an import tells lathe.db it is alive (abandoned-imports.ts: STALE_IMPORT_MS is far longer). */
const HEARTBEAT_MS = 5000;

/** How an import used lathe.db's write lock. */
export interface WriterStats {
  /** Write transactions on lathe.db while the rows were written, the publish included. */
  transactions: number;
  /** Longest time one of them held the write lock (BEGIN IMMEDIATE acquired → COMMIT), ms. */
  maxHoldMs: number;
  /** Sum over all of them, ms. */
  totalHoldMs: number;
  /** The final transaction that makes the dataset visible, ms. */
  publishMs: number;
}

interface Stmt {
  run(...a: unknown[]): { changes: number };
}

/** Appends one import's rows to its row file; commit() publishes, rollback() removes. Call one of them exactly once. */
export class ImportWriter {
  private open = true;
  private lastBeat = performance.now();
  /** Opened at the first row: an importer whose rows a writer thread writes never opens it (the thread does). */
  private file: RowFileWriter | null = null;
  readonly stats: WriterStats = { transactions: 0, maxHoldMs: 0, totalHoldMs: 0, publishMs: 0 };
  private readonly heartbeat: Stmt;
  private readonly publish: Stmt;
  private readonly insertMapping: Stmt;

  constructor(
    private readonly db: WorkspaceDb,
    readonly datasetId: number,
    private readonly read: () => DatasetDto,
  ) {
    this.heartbeat = db.prepare("UPDATE datasets SET import_heartbeat = ? WHERE id = ? AND state = 'importing'");
    this.publish = db.prepare(
      "UPDATE datasets SET state = 'ready', row_count = ?, skipped_count = ?, shape = ?, source_sha256 = ?, import_pid = NULL, import_host = NULL, import_heartbeat = NULL WHERE id = ? AND state = 'importing'",
    );
    this.insertMapping = db.prepare('INSERT INTO mappings (dataset_id, mapping, created_at) VALUES (?, ?, ?)');
  }

  get rows(): number {
    return this.file?.rows ?? 0;
  }

  private get out(): RowFileWriter {
    return (this.file ??= new RowFileWriter(rowFilePath(this.db.name, this.datasetId)));
  }

  add(sourceRow: number, recordJson: string, hash: number): void {
    const out = this.out;
    out.add(sourceRow, recordJson, hash);
    if ((out.rows & 1023) === 0 && performance.now() - this.lastBeat >= HEARTBEAT_MS) this.beat();
  }

  /** Tells lathe.db the import is alive; stops it if its dataset row was deleted meanwhile (its project removed). */
  private beat(): void {
    this.lastBeat = performance.now();
    this.locked(() => {
      if (this.heartbeat.run(nowIso(), this.datasetId).changes !== 1) throw new Error('the dataset being imported was removed');
    });
  }

  /** Runs `fn` in BEGIN IMMEDIATE … COMMIT and records how long the write lock was held. */
  private locked<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    const t0 = performance.now();
    let out: T;
    try {
      out = fn();
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
    const ms = performance.now() - t0;
    this.stats.transactions++;
    this.stats.totalHoldMs += ms;
    if (ms > this.stats.maxHoldMs) this.stats.maxHoldMs = ms;
    return out;
  }

  /** Final counts, the record shape, the source's SHA-256 (known only once the file was read) and the mapping. */
  commit(skipped: number, shape: string, sourceSha256: string, mapping: Mapping): DatasetDto {
    if (!this.open) throw new Error('import already finished');
    try {
      const out = this.out;
      out.finish();
      const t0 = performance.now();
      const dto = this.locked(() => {
        if (this.publish.run(out.rows, skipped, shape, sourceSha256, this.datasetId).changes !== 1) throw new Error('the dataset being imported was removed');
        this.insertMapping.run(this.datasetId, JSON.stringify(mapping), nowIso());
        return this.read();
      });
      this.stats.publishMs = performance.now() - t0;
      this.open = false;
      return dto;
    } catch (err) {
      this.rollback();
      throw err;
    }
  }

  /**
   * Deletes the row file (also one a writer thread left) and the unfinished dataset row. A kill half-way leaves them to
   * discardAbandonedImports at the next start.
   */
  rollback(): void {
    if (!this.open) return;
    this.open = false;
    this.file?.abort();
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    while (!discardChunk(this.db, this.datasetId));
  }
}

/** discardChunk's statements, per connection. */
const discardStmts = new WeakMap<WorkspaceDb, { edits: RowEdits; dataset: Stmt; inState: { get(id: number, state: string): unknown } }>();

/** States whose datasets are deleted chunk by chunk: an unfinished import, a removed dataset (datasets-store.ts). */
export type DiscardedState = 'importing' | 'removing';

/**
 * Deletes up to DISCARD_ROWS of the edits of a dataset in `state` (never of a ready one); once none are left, the
 * dataset row and its row file (a file Windows cannot delete yet is the next start's sweep's). Returns true when
 * nothing of it is left.
 */
export function discardChunk(db: WorkspaceDb, datasetId: number, state: DiscardedState = 'importing'): boolean {
  let s = discardStmts.get(db);
  if (!s) {
    s = {
      edits: new RowEdits(db),
      dataset: db.prepare('DELETE FROM datasets WHERE id = ? AND state = ?') as never,
      inState: db.prepare('SELECT 1 FROM datasets WHERE id = ? AND state = ?'),
    };
    discardStmts.set(db, s);
  }
  if (s.inState.get(datasetId, state) === undefined) return true;
  if (s.edits.deleteChunk(datasetId, DISCARD_ROWS) > 0) return false;
  s.dataset.run(datasetId, state);
  deleteRowFile(db.name, datasetId);
  return true;
}
