// Writes one import's rows into lathe.db without holding its write lock for the whole import: rows go in short
// transactions (a few thousand rows, milliseconds each) under a dataset row in state 'importing', which no listing
// shows; one tiny final transaction makes it 'ready'. Rollback, leftovers of killed imports and removed datasets are
// deleted in chunks too. It does not read sources, validate records or decide what is abandoned (main/datasets does).
import type { DatasetDto, Mapping } from '../../preload/contract/datasets.js';
import { nowIso } from './clock.js';
import type { WorkspaceDb } from './workspace-db.js';

/** Rows per write transaction: ~1 MB of records, a few ms of lock on an idle machine. */
export const CHUNK_ROWS = 4000;
/** Rows per multi-row INSERT statement (5 parameters a row). */
const BATCH = 200;
/** Something to Atomics.wait on: a synchronous pause between write transactions. */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));
/** Rows deleted per transaction when discarding. */
export const DISCARD_ROWS = 5000;
/** SQLite's default: checkpoint once the WAL passes this many pages. */
const AUTO_CHECKPOINT_PAGES = 1000;
/** An import checkpoints every this many chunks (~4 MB of WAL, SQLite's default), in a pause between them … */
const CHECKPOINT_CHUNKS = 4;
/** … or, when it never pauses (rows come slower than they are written), at the latest after this many (~18 MB). */
const MAX_UNCHECKPOINTED_CHUNKS = 16;
/** Import writers writing on each connection: while any is, that connection's COMMITs do not checkpoint. */
const openWriters = new WeakMap<WorkspaceDb, number>();

export interface WriterStats {
  /** Write transactions committed. */
  chunks: number;
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

/** Inserts one import's rows chunk by chunk; commit() publishes, rollback() removes. Call one of them exactly once. */
export class ImportWriter {
  private idx = 0;
  private open = true;
  private deferring = false;
  /** Transactions committed since this writer's last checkpoint. */
  private unCheckpointed = 0;
  /** Whether locked() checkpoints between transactions (false: another thread does, see leaveCheckpoints()). */
  private checkpointsHere = true;
  private lastHoldMs = 0;
  private lastCommitAt = 0;
  /** Full batches of BATCH rows' parameters waiting for the next chunk, and the batch being filled. */
  private batches: (number | string)[][] = [];
  private cur: (number | string)[] = [];
  readonly stats: WriterStats = { chunks: 0, maxHoldMs: 0, totalHoldMs: 0, publishMs: 0 };
  private readonly insertBatch: Stmt;
  private readonly insertRow: Stmt;
  private readonly heartbeat: Stmt;
  private readonly publish: Stmt;
  private readonly insertMapping: Stmt;

  constructor(
    private readonly db: WorkspaceDb,
    readonly datasetId: number,
    private readonly read: () => DatasetDto,
  ) {
    this.insertBatch = db.prepare(`INSERT INTO dataset_rows (dataset_id, idx, source_row, record, content_hash) VALUES ${Array(BATCH).fill('(?, ?, ?, ?, ?)').join(', ')}`);
    this.insertRow = db.prepare('INSERT INTO dataset_rows (dataset_id, idx, source_row, record, content_hash) VALUES (?, ?, ?, ?, ?)');
    this.heartbeat = db.prepare("UPDATE datasets SET import_heartbeat = ? WHERE id = ? AND state = 'importing'");
    this.publish = db.prepare(
      "UPDATE datasets SET state = 'ready', row_count = ?, skipped_count = ?, shape = ?, source_sha256 = ?, import_pid = NULL, import_host = NULL, import_heartbeat = NULL WHERE id = ? AND state = 'importing'",
    );
    this.insertMapping = db.prepare('INSERT INTO mappings (dataset_id, mapping, created_at) VALUES (?, ?, ?)');
  }

  /**
   * From the first written chunk on, no checkpoint inside a COMMIT: copying the WAL into the database file (and its
   * fsyncs) was a third of the time the lock was held. Committed chunks stay in the WAL, as durable as before
   * (synchronous=NORMAL); locked() checkpoints them between transactions (or a checkpointer thread does, beside),
   * checkpoint() the last ones after the publish.
   */
  private deferCheckpoints(): void {
    this.deferring = true;
    const n = openWriters.get(this.db) ?? 0;
    if (n === 0) this.db.pragma('wal_autocheckpoint = 0');
    openWriters.set(this.db, n + 1);
  }

  /** Another connection checkpoints the WAL while this writer writes (a writer thread's checkpointer). */
  leaveCheckpoints(): void {
    this.checkpointsHere = false;
  }

  /** Gives the connection its automatic checkpoints back. */
  private release(): void {
    if (!this.deferring) return;
    this.deferring = false;
    const n = (openWriters.get(this.db) ?? 1) - 1;
    openWriters.set(this.db, n);
    if (n === 0) this.db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  }

  /**
   * Copies the WAL into the database file (PASSIVE: takes no write lock, waits for no reader), then truncates the WAL
   * file if no one is using it at that moment (left as it is, it kept the import's size on disk: 290 MB for a
   * million rows). Returns how long it took, ms. Call after commit(); the row thread does it after reporting the publish.
   */
  checkpoint(): number {
    const t0 = performance.now();
    this.db.pragma('wal_checkpoint(PASSIVE)');
    // TRUNCATE takes the write lock and waits for readers; with nothing left to copy that is a moment, and with a
    // zero busy timeout it never waits: busy, it just leaves the file for SQLite to reuse.
    const busy = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.pragma(`busy_timeout = ${busy}`);
    }
    return performance.now() - t0;
  }

  get rows(): number {
    return this.idx;
  }

  add(sourceRow: number, recordJson: string, hash: string): void {
    const c = this.cur;
    c.push(this.datasetId, this.idx++, sourceRow, recordJson, hash);
    if (c.length < BATCH * 5) return;
    this.batches.push(c);
    this.cur = [];
    if (this.batches.length * BATCH >= CHUNK_ROWS) this.flush();
  }

  /** Writes the buffered rows in one short transaction. */
  private flush(): void {
    const full = this.batches;
    const p = this.cur;
    if (full.length === 0 && p.length === 0) return;
    this.batches = [];
    this.cur = [];
    if (!this.deferring) this.deferCheckpoints();
    this.locked(() => {
      for (const b of full) this.insertBatch.run(b);
      for (let i = 0; i < p.length; i += 5) this.insertRow.run(p[i], p[i + 1], p[i + 2], p[i + 3], p[i + 4]);
      // The dataset row was deleted under us (its project removed): stop instead of writing orphans.
      if (this.heartbeat.run(nowIso(), this.datasetId).changes !== 1) throw new Error('the dataset being imported was removed');
    });
  }

  /**
   * Runs `fn` in BEGIN IMMEDIATE … COMMIT and records how long the write lock was held. Leaves the lock free at least
   * as long as it last held it: a writer thread fed faster than it writes would otherwise re-take it at once, and
   * other connections, polling from SQLite's busy handler, would never get in.
   */
  private locked<T>(fn: () => T): T {
    let rest = this.lastHoldMs - (performance.now() - this.lastCommitAt);
    // The chunks' checkpoint, between transactions: while the lock is left free anyway when possible, after a bound
    // in any case (a WAL that grew by hundreds of MB would land on whichever connection commits next: the app's main
    // thread would stall copying it).
    if (this.deferring && this.checkpointsHere && this.unCheckpointed >= (rest > 0 ? CHECKPOINT_CHUNKS : MAX_UNCHECKPOINTED_CHUNKS)) {
      this.db.pragma('wal_checkpoint(PASSIVE)');
      this.unCheckpointed = 0;
      rest = this.lastHoldMs - (performance.now() - this.lastCommitAt);
    }
    if (rest > 0) Atomics.wait(PAUSE, 0, 0, Math.min(rest, 250));
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
    this.lastCommitAt = performance.now();
    this.unCheckpointed++;
    const ms = this.lastCommitAt - t0;
    this.lastHoldMs = ms;
    this.stats.chunks++;
    this.stats.totalHoldMs += ms;
    if (ms > this.stats.maxHoldMs) this.stats.maxHoldMs = ms;
    return out;
  }

  /** Final counts, the record shape, the source's SHA-256 (known only once the file was read) and the mapping. */
  commit(skipped: number, shape: string, sourceSha256: string, mapping: Mapping): DatasetDto {
    if (!this.open) throw new Error('import already finished');
    try {
      this.flush();
      const dto = this.locked(() => {
        if (this.publish.run(this.idx, skipped, shape, sourceSha256, this.datasetId).changes !== 1) throw new Error('the dataset being imported was removed');
        this.insertMapping.run(this.datasetId, JSON.stringify(mapping), nowIso());
        return this.read();
      });
      this.stats.publishMs = this.lastHoldMs;
      this.open = false;
      this.release();
      return dto;
    } catch (err) {
      this.rollback();
      throw err;
    }
  }

  /** Removes everything written so far, in short transactions. A kill half-way leaves it to discardAbandoned. */
  rollback(): void {
    if (!this.open) return;
    this.open = false;
    this.release();
    this.batches = [];
    this.cur = [];
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    // One chunk per transaction, with the lock left free as long between them.
    for (;;) {
      const t0 = performance.now();
      if (discardChunk(this.db, this.datasetId)) return;
      Atomics.wait(PAUSE, 0, 0, Math.min(performance.now() - t0, 250));
    }
  }
}

const discardStmts = new WeakMap<WorkspaceDb, { maxIdx: Stmt & { get(id: number, state: string): { m: number | null } | undefined }; rows: Stmt; dataset: Stmt }>();

/** States whose rows are deleted chunk by chunk: an unfinished import, a removed dataset (datasets-store.ts). */
export type DiscardedState = 'importing' | 'removing';

/**
 * Deletes up to DISCARD_ROWS rows of a dataset in `state` (never of a ready one), and the dataset row itself once
 * no rows remain. Returns true when nothing of it is left.
 */
export function discardChunk(db: WorkspaceDb, datasetId: number, state: DiscardedState = 'importing'): boolean {
  let s = discardStmts.get(db);
  if (!s) {
    s = {
      maxIdx: db.prepare('SELECT MAX(r.idx) AS m FROM dataset_rows r WHERE r.dataset_id = ? AND EXISTS (SELECT 1 FROM datasets d WHERE d.id = r.dataset_id AND d.state = ?)') as never,
      rows: db.prepare('DELETE FROM dataset_rows WHERE dataset_id = ? AND idx >= ? AND EXISTS (SELECT 1 FROM datasets d WHERE d.id = dataset_id AND d.state = ?)') as never,
      dataset: db.prepare('DELETE FROM datasets WHERE id = ? AND state = ?') as never,
    };
    discardStmts.set(db, s);
  }
  const max = s.maxIdx.get(datasetId, state)?.m ?? null;
  if (max === null) {
    s.dataset.run(datasetId, state);
    return true;
  }
  s.rows.run(datasetId, Math.max(0, max + 1 - DISCARD_ROWS), state);
  return false;
}
