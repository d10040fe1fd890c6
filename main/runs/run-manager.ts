// The queue and the control surface of runs in one process: claims queued runs (one live run per device),
// executes them, relays pause/resume/stop (to its own engines, or through a control file to the process that owns
// the run), beats the owner heartbeat, and on start marks runs whose owner died as interrupted.
import fs from 'node:fs';
import path from 'node:path';
import { errorText, LatheError } from '../../preload/contract/errors.js';
import type { MetricPoint, RunConfig, RunStatus } from '../../preload/contract/runs.js';
import { RunsStore, type StoredRun } from '../db/runs-store.js';
import type { EngineEvent } from '../engine/engine-process.js';
import { requireEngineBinary } from '../engine/engine-binary.js';
import { Batcher } from '../ipc/throttle.js';
import type { EventSink } from '../ipc/event-hub.js';
import type { Workspace } from '../workspace/workspace.js';
import { listCheckpoints, folderBytes, runFolder } from './run-folder.js';
import { RunExecution } from './run-execution.js';
import { runHint } from './run-hints.js';
import { HOST, killOrphanEngine, ownerGone } from './run-ownership.js';
import type { DatasetImporter } from './run-preparation.js';
import { assertTransition, isLive } from './run-status.js';
import { toRunDto } from './run-dto.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const RUN_MANAGER_ERROR_CODES = ['err.run.preparing', 'err.run.completed', 'err.run.deleteLive', 'err.run.interrupted'] as const;
const errText = errorText(RUN_MANAGER_ERROR_CODES);

export interface RunManagerOptions {
  readonly workspace: Workspace;
  readonly events: EventSink;
  readonly importer?: DatasetImporter | undefined;
  /** The app takes any queued run; the CLI only the runs it was asked to run. */
  readonly autoStart: boolean;
  readonly binary?: () => string;
  readonly heartbeatMs?: number;
}

type ControlCommand = 'stop' | 'pause' | 'resume';
export type RunListener = (e: EngineEvent | { event: 'status'; run: StoredRun } | { event: 'log'; line: string }) => void;

/** The device a run occupies: one live run per GPU (or on the CPU). */
export function deviceKey(config: Pick<RunConfig, 'device'>, hasGpu: boolean): string {
  if (config.device === 'auto') return hasGpu ? 'cuda:0' : 'cpu';
  if (config.device === 'cuda') return 'cuda:0';
  return config.device;
}

export class RunManager {
  readonly store: RunsStore;
  private readonly active = new Map<number, RunExecution>();
  private readonly listeners = new Map<number, Set<RunListener>>();
  private readonly metricBatchers = new Map<number, Batcher<MetricPoint>>();
  private readonly logBatchers = new Map<number, Batcher<string>>();
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private readonly waiters = new Map<number, { resolve: (r: StoredRun | null) => void; promise: Promise<StoredRun | null> }>();
  private hasGpu = false;
  private disposed = false;

  constructor(private readonly o: RunManagerOptions) {
    this.store = new RunsStore(o.workspace.db);
    this.recover();
    const beat = setInterval(() => this.tick(), o.heartbeatMs ?? 1000);
    beat.unref();
    this.timers.push(beat);
    if (o.autoStart) queueMicrotask(() => this.pump());
  }

  setHasGpu(v: boolean): void {
    this.hasGpu = v;
  }

  on(runId: number, l: RunListener): () => void {
    let set = this.listeners.get(runId);
    if (!set) this.listeners.set(runId, (set = new Set()));
    set.add(l);
    return () => set!.delete(l);
  }

  isActiveHere(runId: number): boolean {
    return this.active.has(runId);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Queue.
  // -------------------------------------------------------------------------------------------------------------

  /** Starts every queued run whose device is free (the app's queue). */
  pump(): void {
    if (this.disposed || !this.o.autoStart) return;
    for (const run of this.store.withStatus('queued')) {
      if (run.row.owner_pid !== null && run.row.owner_pid !== process.pid && !ownerGone(this.ownerOf(run))) continue; // reserved by a CLI
      this.tryClaim(run.row.id);
    }
  }

  /** Runs this one run in this process as soon as its device is free; resolves with its final state (the CLI). */
  runToEnd(runId: number, signal?: AbortSignal): Promise<StoredRun | null> {
    this.store.setOwner(runId, { pid: process.pid, host: HOST });
    let w = this.waiters.get(runId);
    if (!w) {
      let resolve!: (r: StoredRun | null) => void;
      const promise = new Promise<StoredRun | null>((r) => (resolve = r));
      w = { resolve, promise };
      this.waiters.set(runId, w);
    }
    signal?.addEventListener('abort', () => void this.stop(runId).catch(() => undefined), { once: true });
    // Not unref'd: while a CLI waits for the device (or for another process to finish the run), this keeps it alive.
    const attempt = () => {
      if (this.disposed) return;
      const run = this.store.find(runId);
      if (!run) return this.finish(runId, null);
      if (this.active.has(runId)) return;
      if (run.row.status !== 'queued') {
        if (!isLive(run.row.status)) return this.finish(runId, run);
        setTimeout(attempt, 1000); // another process took it: wait for its end
        return;
      }
      this.store.heartbeat(runId, process.pid);
      if (!this.tryClaim(runId)) setTimeout(attempt, 1000);
    };
    attempt();
    return w.promise;
  }

  private deviceBusy(config: RunConfig, except: number): boolean {
    const key = deviceKey(config, this.hasGpu);
    for (const status of ['preparing', 'running', 'paused', 'stopping'] as const) {
      for (const r of this.store.withStatus(status)) {
        if (r.row.id !== except && deviceKey(r.config, this.hasGpu) === key) return true;
      }
    }
    return false;
  }

  private tryClaim(runId: number): boolean {
    const run = this.store.get(runId);
    if (this.deviceBusy(run.config, runId)) return false;
    // The status change is the lock: of two processes racing, one UPDATE matches.
    if (!this.store.transition(runId, ['queued'], 'preparing')) return false;
    this.store.setStatus(runId, 'preparing', { started: true });
    this.store.setOwner(runId, { pid: process.pid, host: HOST });
    const exec = new RunExecution(
      { workspace: this.o.workspace, store: this.store, binary: this.o.binary ?? requireEngineBinary, importer: this.o.importer, hooks: this.hooks() },
      runId,
      run.row.project_id,
    );
    this.active.set(runId, exec);
    this.emitStatus(this.store.get(runId));
    void exec.execute().then((final) => {
      this.active.delete(runId);
      if (!final || this.disposed) return;
      this.metricBatchers.get(runId)?.close();
      this.logBatchers.get(runId)?.close();
      this.metricBatchers.delete(runId);
      this.logBatchers.delete(runId);
      this.finish(runId, final);
      this.pump();
    });
    return true;
  }

  private finish(runId: number, final: StoredRun | null): void {
    const w = this.waiters.get(runId);
    if (w) {
      this.waiters.delete(runId);
      w.resolve(final);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Control.
  // -------------------------------------------------------------------------------------------------------------

  async pause(runId: number): Promise<StoredRun> {
    const run = this.store.get(runId);
    assertTransition(runId, run.row.status, 'paused', 'pause');
    if (run.row.status === 'preparing') throw new LatheError('conflict', `Run ${runId} is still preparing its data; pause it once training has started.`, undefined, errText('err.run.preparing', { id: runId }));
    await this.control(run, 'pause');
    return this.store.get(runId);
  }

  /** Paused: continue. Interrupted, failed or stopped early: queue again, to continue from the newest checkpoint. */
  async resume(runId: number, o: { owned?: boolean } = {}): Promise<StoredRun> {
    const run = this.store.get(runId);
    if (run.row.status === 'paused') {
      await this.control(run, 'resume');
      return this.store.get(runId);
    }
    const s = run.row.status;
    const finishedEarly = s === 'completed' && run.row.max_steps !== null && run.row.step < run.row.max_steps;
    if (!(s === 'draft' || s === 'failed' || s === 'interrupted' || finishedEarly)) {
      if (s === 'completed') throw new LatheError('conflict', `Run ${runId} has completed all its steps. Retrain it to continue on more data.`, undefined, errText('err.run.completed', { id: runId }));
      assertTransition(runId, s, 'queued', 'resume');
    }
    const queued = this.o.workspace.db.transaction(() => {
      if (!this.store.transition(runId, ['draft', 'failed', 'interrupted', 'completed'], 'queued')) return false;
      this.store.setStatus(runId, 'queued');
      // owned: reserved for this process (the CLI resumes in the foreground); else any app's queue may take it.
      this.store.setOwner(runId, o.owned ? { pid: process.pid, host: HOST } : null);
      return true;
    })();
    if (!queued) throw new LatheError('conflict', `Run ${runId} changed state meanwhile; try again.`);
    const next = this.store.get(runId);
    this.emitStatus(next);
    this.pump();
    return next;
  }

  async stop(runId: number): Promise<StoredRun> {
    const run = this.store.get(runId);
    const s = run.row.status;
    if (s === 'queued') {
      if (this.store.transition(runId, ['queued'], 'interrupted')) {
        this.store.setStatus(runId, 'interrupted', { error: { code: 'interrupted', message: 'Stopped before it started.', ...runHint('runHint.resumeToQueue') }, finished: true });
        this.store.setOwner(runId, null);
        const next = this.store.get(runId);
        this.emitStatus(next);
        this.finish(runId, next);
      }
      return this.store.get(runId);
    }
    if (s === 'stopping') return run;
    assertTransition(runId, s, 'stopping', 'stop');
    this.store.transition(runId, [s], 'stopping');
    this.emitStatus(this.store.get(runId));
    await this.control(run, 'stop');
    return this.store.get(runId);
  }

  async delete(runId: number): Promise<void> {
    const run = this.store.get(runId);
    if (isLive(run.row.status) && !ownerGone(this.ownerOf(run))) throw new LatheError('conflict', `Run ${runId} is ${run.row.status}; stop it before deleting it.`, undefined, errText('err.run.deleteLive', { id: runId, status: run.row.status }));
    if (run.row.status === 'queued') await this.stop(runId);
    this.store.remove(runId);
    await fs.promises.rm(runFolder(this.o.workspace.paths, run.row.project_id, runId).dir, { recursive: true, force: true });
  }

  private async control(run: StoredRun, cmd: ControlCommand): Promise<void> {
    const exec = this.active.get(run.row.id);
    if (exec) {
      if (cmd === 'stop') exec.requestStop();
      else exec.command(cmd);
      return;
    }
    const gone = ownerGone(this.ownerOf(run));
    if (gone) {
      this.markInterrupted(run, gone);
      throw new LatheError('conflict', `Run ${run.row.id} was interrupted (${gone}). Resume it to continue from its last checkpoint.`, undefined, errText('err.run.interrupted', { id: run.row.id, why: gone }));
    }
    // Another process (the CLI, or the app) owns it: leave the command in the run folder; the owner polls for it.
    const folder = runFolder(this.o.workspace.paths, run.row.project_id, run.row.id);
    await fs.promises.mkdir(folder.dir, { recursive: true });
    await fs.promises.appendFile(path.join(folder.dir, 'control'), `${cmd}\n`);
  }

  /** Every heartbeat: owner heartbeat, commands left by other processes, interrupted runs of dead owners. */
  private tick(): void {
    if (this.disposed) return;
    for (const [id, exec] of this.active) {
      this.store.heartbeat(id, process.pid);
      const file = path.join(exec.folder.dir, 'control');
      fs.promises
        .readFile(file, 'utf8')
        .then(async (text) => {
          await fs.promises.rm(file, { force: true });
          for (const cmd of text.split('\n').filter(Boolean)) {
            if (cmd === 'stop') exec.requestStop();
            else if (cmd === 'pause' || cmd === 'resume') exec.command(cmd);
          }
        })
        .catch(() => undefined);
    }
    if (this.o.autoStart) {
      this.recover();
      this.pump();
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Recovery.
  // -------------------------------------------------------------------------------------------------------------

  private ownerOf(run: StoredRun) {
    return { pid: run.row.owner_pid, host: run.row.owner_host, heartbeatAt: run.row.heartbeat_at };
  }

  /** Marks live runs (and reserved queued runs) whose owning process is gone as interrupted. */
  recover(): StoredRun[] {
    const found: StoredRun[] = [];
    for (const status of ['preparing', 'running', 'paused', 'stopping', 'queued'] as RunStatus[]) {
      for (const run of this.store.withStatus(status)) {
        if (this.active.has(run.row.id)) continue;
        if (status === 'queued' && run.row.owner_pid === null) continue;
        const gone = ownerGone(this.ownerOf(run));
        if (!gone) continue;
        this.markInterrupted(run, gone);
        found.push(this.store.get(run.row.id));
      }
    }
    return found;
  }

  private markInterrupted(run: StoredRun, why: string): void {
    const killed = killOrphanEngine(run.row.engine_pid);
    const was = run.row.status;
    if (!this.store.transition(run.row.id, [was], 'interrupted')) return;
    this.store.setStatus(run.row.id, 'interrupted', {
      error: { code: 'interrupted', message: `The run was ${was} when its Lathe process ended (${why}).${killed ? ' Its orphaned engine was stopped.' : ''}`, ...runHint('runHint.resumeFromCheckpoint') },
      finished: true,
    });
    this.store.setOwner(run.row.id, null);
    this.store.setEnginePid(run.row.id, null);
    const next = this.store.get(run.row.id);
    this.emitStatus(next);
    void this.registerCheckpointsOnDisk(next);
  }

  /** Checkpoints written after the owner's last record (an orphaned engine kept going) become artifacts too. */
  private async registerCheckpointsOnDisk(run: StoredRun): Promise<void> {
    const folder = runFolder(this.o.workspace.paths, run.row.project_id, run.row.id);
    const known = new Set(this.store.artifacts(run.row.id).map((a) => a.path));
    for (const c of await listCheckpoints(folder.output)) {
      const rel = path.relative(this.o.workspace.paths.home, c.dir).split(path.sep).join('/');
      if (!known.has(rel)) this.store.addArtifact(run.row.project_id, run.row.id, 'checkpoint', rel, await folderBytes(c.dir), { step: c.step });
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Events.
  // -------------------------------------------------------------------------------------------------------------

  emitStatus(run: StoredRun): void {
    const dto = toRunDto(run, this.store, this.o.workspace);
    this.o.events.emit('runs.status', { id: dto.id, projectId: dto.projectId, status: dto.status, step: dto.step, maxSteps: dto.maxSteps, error: dto.error });
    for (const l of this.listeners.get(run.row.id) ?? []) l({ event: 'status', run });
  }

  private hooks() {
    return {
      status: (run: StoredRun) => this.emitStatus(run),
      metric: (runId: number, p: MetricPoint) => {
        // Stored at once (one small WAL insert): a process killed mid-run loses no recorded step. Only the
        // renderer's stream is batched.
        this.store.addMetrics(runId, [p]);
        let b = this.metricBatchers.get(runId);
        if (!b) {
          b = new Batcher<MetricPoint>(250, (points) => this.o.events.emit('runs.metrics', { id: runId, points }));
          this.metricBatchers.set(runId, b);
        }
        b.push(p);
      },
      log: (runId: number, line: string) => {
        let b = this.logBatchers.get(runId);
        if (!b) {
          b = new Batcher<string>(250, (lines) => this.o.events.emit('runs.log', { id: runId, lines }));
          this.logBatchers.set(runId, b);
        }
        b.push(line);
        for (const l of this.listeners.get(runId) ?? []) l({ event: 'log', line });
      },
      engineEvent: (runId: number, e: EngineEvent) => {
        // Metrics reach the DB before listeners (the CLI) report a checkpoint or the end.
        if (e.event === 'checkpoint' || e.event === 'done' || e.event === 'eval') this.metricBatchers.get(runId)?.flush();
        for (const l of this.listeners.get(runId) ?? []) l(e);
      },
    };
  }

  /** The process is ending: engines are killed and their runs left interrupted (resumable on next start). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.timers) clearInterval(t);
    for (const b of this.metricBatchers.values()) b.close();
    for (const [id, exec] of this.active) {
      exec.abandon();
      const run = this.store.find(id);
      if (run && (isLive(run.row.status) || run.row.status === 'queued')) {
        this.store.setStatus(id, 'interrupted', { error: { code: 'interrupted', message: 'Lathe closed during the run.', ...runHint('runHint.resumeFromCheckpoint') }, finished: true });
        this.store.setOwner(id, null);
        this.store.setEnginePid(id, null);
      }
    }
  }
}
