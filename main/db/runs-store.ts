// Data access for training runs, their metrics and their artifacts. Statements prepared once per connection.
// Holds no policy: which status may follow which is main/runs/run-status.ts; who owns a run is main/runs.
import type { ArtifactDto, MetricPoint, RunConfig, RunError, RunScores, RunStatus } from '../../preload/contract/runs.js';
import { LatheError } from '../../preload/contract/errors.js';
import { nowIso } from './clock.js';
import type Database from 'better-sqlite3';
import type { WorkspaceDb } from './workspace-db.js';

export interface RunRow {
  id: number;
  project_id: number;
  name: string;
  status: RunStatus;
  config: string;
  parent_run_id: number | null;
  step: number;
  max_steps: number | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  owner_pid: number | null;
  owner_host: string | null;
  heartbeat_at: string | null;
  engine_pid: number | null;
  prepared: string | null;
  scores: string | null;
  last_loss: number | null;
  last_eval_loss: number | null;
}

export interface StoredRun {
  readonly row: RunRow;
  readonly config: RunConfig;
  readonly error: RunError | null;
  readonly scores: RunScores | null;
  readonly prepared: Record<string, unknown> | null;
}

interface MetricRow {
  kind: 'train' | 'eval';
  step: number;
  epoch: number | null;
  loss: number | null;
  lr: number | null;
  grad_norm: number | null;
  tokens_per_s: number | null;
  memory_mb: number | null;
  at: string;
}

interface ArtifactRow {
  id: number;
  project_id: number;
  run_id: number | null;
  kind: string;
  path: string;
  bytes: number;
  meta: string;
  created_at: string;
}

export const LIVE_STATUSES: readonly RunStatus[] = ['preparing', 'running', 'paused', 'stopping'];

const SELECT = `
  SELECT r.*,
    (SELECT m.loss FROM run_metrics m WHERE m.run_id = r.id AND m.kind = 'train' ORDER BY m.step DESC LIMIT 1) AS last_loss,
    (SELECT m.loss FROM run_metrics m WHERE m.run_id = r.id AND m.kind = 'eval' ORDER BY m.step DESC LIMIT 1) AS last_eval_loss
  FROM runs r`;
/** Runs of a removed project leave every listing (and the queue) at once; main/projects deletes them afterwards. */
const LISTED = "r.project_id NOT IN (SELECT id FROM projects WHERE state = 'removing')";

export class RunsStore {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listAllStmt;
  private readonly listProjectStmt;
  private readonly byStatusStmt;
  private readonly nextQueuedStmt;
  private readonly statusStmt;
  private readonly stepStmt;
  private readonly ownerStmt;
  private readonly heartbeatStmt;
  private readonly engineStmt;
  private readonly preparedStmt;
  private readonly scoresStmt;
  private readonly configStmt;
  private readonly deleteStmt;
  private readonly metricStmt;
  private readonly metricsStmt;
  private readonly artifactInsertStmt;
  private readonly artifactsStmt;
  private readonly artifactDeleteStmt;
  private readonly artifactByPathStmt;
  /** UPDATE … status IN (?, …) prepared once per list length. */
  private readonly transitionStmts = new Map<number, Database.Statement>();

  constructor(private readonly db: WorkspaceDb) {
    this.insertStmt = db.prepare<[number, string, string, number | null, number | null, string]>(
      `INSERT INTO runs (project_id, name, status, config, parent_run_id, max_steps, created_at) VALUES (?, ?, 'queued', ?, ?, ?, ?)`,
    );
    this.getStmt = db.prepare<[number], RunRow>(`${SELECT} WHERE r.id = ?`);
    this.listAllStmt = db.prepare<[], RunRow>(`${SELECT} WHERE ${LISTED} ORDER BY r.id DESC`);
    this.listProjectStmt = db.prepare<[number], RunRow>(`${SELECT} WHERE r.project_id = ? AND ${LISTED} ORDER BY r.id DESC`);
    this.byStatusStmt = db.prepare<[string], RunRow>(`${SELECT} WHERE r.status = ? AND ${LISTED} ORDER BY r.id`);
    this.nextQueuedStmt = db.prepare<[], RunRow>(`${SELECT} WHERE r.status = 'queued' AND ${LISTED} ORDER BY r.id LIMIT 1`);
    this.statusStmt = db.prepare<[string, string | null, string | null, string | null, number]>(
      `UPDATE runs SET status = ?, error = ?, started_at = COALESCE(?, started_at), finished_at = ? WHERE id = ?`,
    );
    this.stepStmt = db.prepare<[number, number | null, number]>(`UPDATE runs SET step = ?, max_steps = COALESCE(?, max_steps) WHERE id = ?`);
    this.ownerStmt = db.prepare<[number | null, string | null, string | null, number]>(`UPDATE runs SET owner_pid = ?, owner_host = ?, heartbeat_at = ? WHERE id = ?`);
    this.heartbeatStmt = db.prepare<[string, number, number]>(`UPDATE runs SET heartbeat_at = ? WHERE id = ? AND owner_pid = ?`);
    this.engineStmt = db.prepare<[number | null, number]>(`UPDATE runs SET engine_pid = ? WHERE id = ?`);
    this.preparedStmt = db.prepare<[string, number]>(`UPDATE runs SET prepared = ? WHERE id = ?`);
    this.scoresStmt = db.prepare<[string | null, number]>(`UPDATE runs SET scores = ? WHERE id = ?`);
    this.configStmt = db.prepare<[string, number]>(`UPDATE runs SET config = ? WHERE id = ?`);
    this.deleteStmt = db.prepare<[number]>(`DELETE FROM runs WHERE id = ?`);
    this.metricStmt = db.prepare<[number, string, number, number | null, number | null, number | null, number | null, number | null, number | null, string]>(
      `INSERT OR REPLACE INTO run_metrics (run_id, kind, step, epoch, loss, lr, grad_norm, tokens_per_s, memory_mb, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.metricsStmt = db.prepare<[number, number, string | null, string | null], MetricRow>(
      `SELECT kind, step, epoch, loss, lr, grad_norm, tokens_per_s, memory_mb, at FROM run_metrics
       WHERE run_id = ? AND step >= ? AND (? IS NULL OR kind = ?) ORDER BY step, kind DESC`,
    );
    this.artifactInsertStmt = db.prepare<[number, number, string, string, number, string, string]>(
      `INSERT INTO artifacts (project_id, run_id, kind, path, bytes, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.artifactsStmt = db.prepare<[number], ArtifactRow>(`SELECT * FROM artifacts WHERE run_id = ? ORDER BY id`);
    this.artifactDeleteStmt = db.prepare<[number]>(`DELETE FROM artifacts WHERE id = ?`);
    this.artifactByPathStmt = db.prepare<[number, string]>(`DELETE FROM artifacts WHERE run_id = ? AND path = ?`);
  }

  create(projectId: number, name: string, config: RunConfig, parentRunId: number | null): StoredRun {
    const id = Number(this.insertStmt.run(projectId, name, JSON.stringify(config), parentRunId, config.maxSteps ?? null, nowIso()).lastInsertRowid);
    return this.get(id);
  }

  get(id: number): StoredRun {
    const row = this.getStmt.get(id);
    if (!row) throw new LatheError('not_found', `There is no run with id ${id}. See: lathe run list`);
    return toStored(row);
  }

  find(id: number): StoredRun | undefined {
    const row = this.getStmt.get(id);
    return row ? toStored(row) : undefined;
  }

  list(projectId?: number): StoredRun[] {
    return (projectId === undefined ? this.listAllStmt.all() : this.listProjectStmt.all(projectId)).map(toStored);
  }

  withStatus(status: RunStatus): StoredRun[] {
    return this.byStatusStmt.all(status).map(toStored);
  }

  nextQueued(): StoredRun | undefined {
    const row = this.nextQueuedStmt.get();
    return row ? toStored(row) : undefined;
  }

  setStatus(id: number, status: RunStatus, o: { error?: RunError | null; started?: boolean; finished?: boolean } = {}): void {
    const now = nowIso();
    this.statusStmt.run(status, o.error ? JSON.stringify(o.error) : null, o.started ? now : null, o.finished ? now : null, id);
  }

  /** Atomically moves a run from one status to another; false when it was not in `from` (another process won). */
  transition(id: number, from: readonly RunStatus[], to: RunStatus): boolean {
    let stmt = this.transitionStmts.get(from.length);
    if (!stmt) {
      stmt = this.db.prepare(`UPDATE runs SET status = ? WHERE id = ? AND status IN (${from.map(() => '?').join(', ')})`);
      this.transitionStmts.set(from.length, stmt);
    }
    return stmt.run(to, id, ...from).changes === 1;
  }

  setStep(id: number, step: number, maxSteps: number | null): void {
    this.stepStmt.run(step, maxSteps, id);
  }

  setOwner(id: number, owner: { pid: number; host: string } | null): void {
    this.ownerStmt.run(owner?.pid ?? null, owner?.host ?? null, owner ? nowIso() : null, id);
  }

  heartbeat(id: number, pid: number): void {
    this.heartbeatStmt.run(nowIso(), id, pid);
  }

  setEnginePid(id: number, pid: number | null): void {
    this.engineStmt.run(pid, id);
  }

  setPrepared(id: number, prepared: Record<string, unknown>): void {
    this.preparedStmt.run(JSON.stringify(prepared), id);
  }

  setScores(id: number, scores: RunScores | null): void {
    this.scoresStmt.run(scores ? JSON.stringify(scores) : null, id);
  }

  setConfig(id: number, config: RunConfig): void {
    this.configStmt.run(JSON.stringify(config), id);
  }

  remove(id: number): void {
    if (this.deleteStmt.run(id).changes === 0) throw new LatheError('not_found', `There is no run with id ${id}.`);
  }

  /** Stores a batch of metric points in one transaction (a step arriving twice, after a resume, replaces the old one). */
  addMetrics(id: number, points: readonly MetricPoint[]): void {
    this.db.transaction(() => {
      for (const p of points) this.metricStmt.run(id, p.kind, p.step, p.epoch, p.loss, p.lr, p.gradNorm, p.tokensPerS, p.memoryMb, p.at);
    })();
  }

  metrics(id: number, sinceStep = 0, kind?: 'train' | 'eval'): MetricPoint[] {
    return this.metricsStmt.all(id, sinceStep, kind ?? null, kind ?? null).map((m) => ({
      kind: m.kind,
      step: m.step,
      epoch: m.epoch,
      loss: m.loss,
      lr: m.lr,
      gradNorm: m.grad_norm,
      tokensPerS: m.tokens_per_s,
      memoryMb: m.memory_mb,
      at: m.at,
    }));
  }

  addArtifact(projectId: number, runId: number, kind: string, relPath: string, bytes: number, meta: Record<string, unknown>): void {
    this.artifactByPathStmt.run(runId, relPath);
    this.artifactInsertStmt.run(projectId, runId, kind, relPath, bytes, JSON.stringify(meta), nowIso());
  }

  artifacts(runId: number): ArtifactDto[] {
    return this.artifactsStmt.all(runId).map((a) => {
      const meta = JSON.parse(a.meta) as { step?: number };
      return { id: a.id, runId: a.run_id, kind: a.kind, path: a.path, bytes: a.bytes, step: typeof meta.step === 'number' ? meta.step : null, createdAt: a.created_at };
    });
  }

  removeArtifact(id: number): void {
    this.artifactDeleteStmt.run(id);
  }
}

function toStored(row: RunRow): StoredRun {
  return {
    row,
    config: JSON.parse(row.config) as RunConfig,
    error: row.error ? (JSON.parse(row.error) as RunError) : null,
    scores: row.scores ? (JSON.parse(row.scores) as RunScores) : null,
    prepared: row.prepared ? (JSON.parse(row.prepared) as Record<string, unknown>) : null,
  };
}
