// One run's life in the process that owns it: prepare the data, start the engine (from the newest checkpoint when
// resuming), turn its events into stored metrics, artifacts and status, evaluate, and settle the final status.
// Does not choose which run goes next (run-manager.ts) and never blocks: file work is async, tokenizing is in workers.
import fs from 'node:fs';
import path from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';
import type { MetricPoint, RunError, RunStatus } from '../../preload/contract/runs.js';
import type { RunsStore, StoredRun } from '../db/runs-store.js';
import { engineFailure } from '../engine/engine-exit.js';
import { EngineProcess, type EngineCommand, type EngineEvent } from '../engine/engine-process.js';
import type { Workspace } from '../workspace/workspace.js';
import { buildEngineConfig } from './engine-config.js';
import { folderBytes, hasAdapter, listCheckpoints, runFolder, writeFileAtomic, type RunFolder } from './run-folder.js';
import { evaluateRun } from './run-evaluation.js';
import { countNewRows, prepareRunData, type DatasetImporter } from './run-preparation.js';
import { runHint } from './run-hints.js';
import { runConfigToYaml } from './run-yaml.js';

export interface ExecutionHooks {
  readonly status: (run: StoredRun) => void;
  readonly metric: (runId: number, p: MetricPoint) => void;
  readonly log: (runId: number, line: string) => void;
  /** Every engine event, raw (the CLI prints them). */
  readonly engineEvent: (runId: number, e: EngineEvent) => void;
}

export interface ExecutionOptions {
  readonly workspace: Workspace;
  readonly store: RunsStore;
  readonly binary: () => string;
  readonly importer?: DatasetImporter | undefined;
  readonly hooks: ExecutionHooks;
}

const STOP_GRACE_MS = 120_000;

export class RunExecution {
  readonly folder: RunFolder;
  private engine: EngineProcess | null = null;
  private readonly prepareAbort = new AbortController();
  private stopRequested = false;
  private shutdown = false;
  private logStream: fs.WriteStream | null = null;
  private done: { reason: string; adapterDir: string } | null = null;
  private readonly pending: Promise<unknown>[] = [];

  constructor(
    private readonly o: ExecutionOptions,
    readonly runId: number,
    private readonly projectId: number,
  ) {
    this.folder = runFolder(o.workspace.paths, projectId, runId);
  }

  get enginePid(): number | undefined {
    return this.engine?.pid;
  }

  log(line: string): void {
    const stamped = `${new Date().toISOString()} ${line}`;
    this.logStream?.write(`${stamped}\n`);
    this.o.hooks.log(this.runId, stamped);
  }

  command(cmd: EngineCommand): boolean {
    return this.engine?.send(cmd) ?? false;
  }

  /** Stop with a final checkpoint; before the engine runs, stop preparing. */
  requestStop(): void {
    this.stopRequested = true;
    this.prepareAbort.abort();
    if (this.engine) {
      this.engine.send('stop');
      const engine = this.engine;
      setTimeout(() => engine.kill('SIGKILL'), STOP_GRACE_MS).unref();
    }
  }

  /** The owning process is going away: end the engine now; the run will be found interrupted and resumable. */
  abandon(): void {
    this.shutdown = true;
    this.prepareAbort.abort();
    this.engine?.kill('SIGKILL');
  }

  private setStatus(status: RunStatus, o: { error?: RunError | null; started?: boolean; finished?: boolean } = {}): void {
    this.o.store.setStatus(this.runId, status, o);
    this.o.hooks.status(this.o.store.get(this.runId));
  }

  /** Runs from `preparing` (the caller claimed the run) to a finished status. Never throws. */
  async execute(): Promise<StoredRun | null> {
    const { store } = this.o;
    const run = store.get(this.runId);
    const config = run.config;
    await fs.promises.mkdir(this.folder.output, { recursive: true });
    this.logStream = fs.createWriteStream(this.folder.log, { flags: 'a' });
    this.logStream.on('error', () => undefined);
    try {
      this.log(`run ${this.runId} “${run.row.name}”: preparing (owner pid ${process.pid})`);
      await writeFileAtomic(this.folder.yaml, runConfigToYaml(config, run.row.name));
      if (config.quantizationBit === 8) throw new LatheError('unsupported', 'quantization_bit: 8 is not supported; QLoRA in Lathe is 4-bit NF4 (quantization_bit: 4).');
      // Resuming reuses the data the run started with: a grown dataset is a new run (retrain), not a resume.
      let prepared = run.prepared;
      if (!prepared || !fs.existsSync(this.folder.trainLtok)) {
        prepared = { ...(await prepareRunData({ workspace: this.o.workspace, projectId: this.projectId, config, folder: this.folder, importer: this.o.importer, signal: this.prepareAbort.signal, log: (l) => this.log(l) })) };
        const parent = run.row.parent_run_id !== null ? store.find(run.row.parent_run_id) : undefined;
        if (parent) {
          const newRows = await countNewRows(this.folder, runFolder(this.o.workspace.paths, parent.row.project_id, parent.row.id));
          prepared = { ...prepared, newRowsSinceParent: newRows };
          if (newRows !== null) this.log(`${newRows} training rows are new since run ${parent.row.id}`);
        }
        store.setPrepared(this.runId, prepared);
      } else {
        this.log('prepared data of the first attempt reused');
      }
      if (this.stopRequested || this.shutdown) return this.settle(null, true);

      // The newest checkpoint the history reaches: an orphaned engine may have written later ones whose steps
      // were never recorded, and resuming from those would leave a gap in the metrics.
      const recorded = store.get(this.runId).row.step;
      const checkpoints = (await listCheckpoints(this.folder.output)).filter((c) => c.step <= recorded);
      const resumeFrom = checkpoints.length > 0 ? checkpoints[checkpoints.length - 1]! : null;
      if (resumeFrom) this.log(`resuming from ${path.relative(this.folder.dir, resumeFrom.dir)} (step ${resumeFrom.step})`);
      const engineConfig = buildEngineConfig(config, {
        trainFile: String(prepared.trainFile),
        evalFile: typeof prepared.evalFile === 'string' ? prepared.evalFile : null,
        outputDir: this.folder.output,
        resumeFrom: resumeFrom?.dir ?? null,
      });
      await writeFileAtomic(this.folder.engineConfig, JSON.stringify(engineConfig, null, 2));
      const binary = this.o.binary();
      this.engine = EngineProcess.start({
        binary,
        configPath: this.folder.engineConfig,
        cwd: this.folder.dir,
        onEvent: (e) => this.onEvent(e),
        onLog: (line, source) => this.log(source === 'event' ? line : `[${source}] ${line}`),
      });
      if (this.engine.pid !== undefined) store.setEnginePid(this.runId, this.engine.pid);
      if (this.stopRequested) this.engine.send('stop');
      const end = await this.engine.exited;
      this.engine = null;
      store.setEnginePid(this.runId, null);
      await Promise.allSettled(this.pending);
      const failure = engineFailure(end);
      if (failure) return this.settle(this.shutdown ? null : failure, this.shutdown);
      if (!this.done) return this.settle({ code: 'protocol', message: 'The engine exited without reporting the end of training.', ...runHint('runHint.seeLog') }, false);

      const adapterDir = this.done.adapterDir;
      if (hasAdapter(adapterDir)) {
        store.addArtifact(this.projectId, this.runId, 'adapter', this.rel(adapterDir), await folderBytes(adapterDir), { step: store.get(this.runId).row.step, reason: this.done.reason });
        if (config.outputDir) await this.copyAdapter(adapterDir, config.outputDir);
      }
      if (this.done.reason === 'completed' && config.predictWithGenerate && !this.stopRequested) {
        try {
          const scores = await evaluateRun({
            binary,
            config,
            folder: this.folder,
            adapterDir,
            log: (l, source) => this.log(source && source !== 'event' ? `[${source}] ${l}` : l),
            onEngine: (p) => (this.engine = p),
            signal: this.prepareAbort.signal,
          });
          store.setScores(this.runId, scores);
        } catch (err) {
          this.engine = null;
          this.log(`evaluation failed: ${(err as Error).message}`);
          if (this.shutdown) return this.settle(null, true);
        }
      }
      // Stopped before its planned end: the run keeps its adapter (usable for export and the playground) and
      // resumes from the stop checkpoint, so it is interrupted, not completed.
      if (this.done.reason === 'stopped') {
        const { step, max_steps: max } = store.get(this.runId).row;
        return this.settle(null, true, { code: 'stopped', message: `Stopped at step ${step}${max ? ` of ${max}` : ''}.`, ...runHint('runHint.resumeFromCheckpoint') });
      }
      return this.settle(null, false);
    } catch (err) {
      const e = LatheError.from(err);
      this.log(`error: ${e.message}`);
      if (e.code === 'cancelled' || this.shutdown) return this.settle(null, true);
      return this.settle({ code: e.code, message: e.message }, false);
    } finally {
      this.engine = null;
      await new Promise<void>((resolve) => (this.logStream ? this.logStream.end(resolve) : resolve()));
      this.logStream = null;
    }
  }

  /** Records the final status; null when the owning process is shutting down (dispose already recorded it). */
  private settle(error: RunError | null, interrupted: boolean, why?: RunError): StoredRun | null {
    if (this.shutdown) return null;
    if (interrupted) {
      this.setStatus('interrupted', { error: why ?? { code: 'interrupted', message: 'Stopped before training began.', ...runHint('runHint.resumeFromCheckpoint') }, finished: true });
      if (why) this.log(why.message);
    } else if (error) {
      this.log(`failed: ${error.message}`);
      this.setStatus('failed', { error, finished: true });
    } else {
      this.setStatus('completed', { finished: true });
      this.log(`completed at step ${this.o.store.get(this.runId).row.step}`);
    }
    this.o.store.setOwner(this.runId, null);
    return this.o.store.get(this.runId);
  }

  private rel(abs: string): string {
    return path.relative(this.o.workspace.paths.home, abs).split(path.sep).join('/');
  }

  private async copyAdapter(from: string, to: string): Promise<void> {
    await fs.promises.mkdir(to, { recursive: true });
    for (const f of ['adapter_config.json', 'adapter_model.safetensors']) await fs.promises.copyFile(path.join(from, f), path.join(to, f));
    this.log(`adapter copied to ${to}`);
  }

  private onEvent(e: EngineEvent): void {
    const { store } = this.o;
    const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    const at = new Date().toISOString();
    switch (e.event) {
      case 'ready': {
        store.setStep(this.runId, num(e.start_step) ?? 0, num(e.total_steps));
        if (!this.stopRequested) this.setStatus('running');
        break;
      }
      case 'step': {
        const step = num(e.step) ?? 0;
        store.setStep(this.runId, step, num(e.total_steps));
        this.o.hooks.metric(this.runId, { kind: 'train', step, epoch: num(e.epoch), loss: num(e.loss), lr: num(e.lr), gradNorm: num(e.grad_norm), tokensPerS: num(e.tokens_per_s), memoryMb: num(e.device_mib) ?? num(e.memory_mib), at });
        break;
      }
      case 'eval':
        this.o.hooks.metric(this.runId, { kind: 'eval', step: num(e.step) ?? 0, epoch: null, loss: num(e.eval_loss), lr: null, gradNorm: null, tokensPerS: null, memoryMb: null, at });
        break;
      case 'checkpoint':
        if (typeof e.path === 'string') this.pending.push(this.onCheckpoint(e.path, num(e.step) ?? 0));
        break;
      case 'paused':
        if (!this.stopRequested) this.setStatus('paused');
        break;
      case 'resumed':
        if (!this.stopRequested) this.setStatus('running');
        break;
      case 'done':
        this.done = { reason: typeof e.reason === 'string' ? e.reason : 'completed', adapterDir: typeof e.adapter_dir === 'string' ? e.adapter_dir : this.folder.output };
        break;
      default:
        break;
    }
    this.o.hooks.engineEvent(this.runId, e);
  }

  private async onCheckpoint(dir: string, step: number): Promise<void> {
    const { store } = this.o;
    const bytes = await folderBytes(dir);
    // The process may have shut down (and closed the database) while the folder was measured: the checkpoint is on
    // disk and the next start's resume finds it; recording it now would throw into nobody's hands.
    if (this.shutdown) return;
    store.addArtifact(this.projectId, this.runId, 'checkpoint', this.rel(dir), bytes, { step });
    const limit = store.get(this.runId).config.saveTotalLimit;
    if (limit !== undefined) await pruneCheckpoints(this.o.workspace, store, this.runId, limit);
  }
}

/** Deletes all but the newest `keep` checkpoints of a run (files and artifact rows); returns what is left. */
export async function pruneCheckpoints(workspace: Workspace, store: RunsStore, runId: number, keep: number) {
  const all = store.artifacts(runId).filter((a) => a.kind === 'checkpoint').sort((a, b) => (a.step ?? 0) - (b.step ?? 0));
  for (const a of all.slice(0, Math.max(0, all.length - keep))) {
    await fs.promises.rm(path.join(workspace.paths.home, a.path), { recursive: true, force: true });
    store.removeArtifact(a.id);
  }
  return store.artifacts(runId);
}
