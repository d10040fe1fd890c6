// The `runs` domain's service: the contract's calls over the run manager (queue, control, recovery), the store
// (history, metrics, artifacts) and the config helpers (defaults, YAML, CLI command). The CLI builds one too,
// so a run started from `lathe train` is the same row, folder and events as one started in the app.
import fs from 'node:fs';
import path from 'node:path';
import { errorText, LatheError } from '../../preload/contract/errors.js';
import {
  type ArtifactDto,
  type CliCommandRequest,
  type CliCommandResult,
  type CompareRequest,
  type CompareResult,
  CreateRunRequest,
  type DefaultsRequest,
  type IRunsService,
  type ListRunsRequest,
  LogsRequest,
  type LogsResult,
  type MetricPoint,
  type MetricsRequest,
  PredictionsRequest,
  type PredictionsResult,
  type PruneRequest,
  RetrainRequest,
  type RunConfig,
  type RunDefaultsDto,
  type RunDetailDto,
  type RunDto,
  type RunRef,
  type StopRequest,
  type YamlRequest,
  type YamlResult,
} from '../../preload/contract/runs.js';
import { fingerprint } from '../datasets/file-fingerprint.js';
import { DatasetsService } from '../datasets/datasets-service.js';
import { DatasetsStore } from '../db/datasets-store.js';
import { ProjectsStore } from '../db/projects-store.js';
import { detectGpus } from '../engine/gpu-info.js';
import type { ServiceContext } from '../services/service-context.js';
import { pruneCheckpoints } from './run-execution.js';
import { readPredictions } from './run-evaluation.js';
import { runDefaults } from './run-defaults.js';
import { toRunDetailDto, toRunDto } from './run-dto.js';
import { runFolder } from './run-folder.js';
import { defaultRunName, takeRunNumber } from './run-name.js';
import { RunManager, type RunManagerOptions } from './run-manager.js';
import { HOST } from './run-ownership.js';
import type { DatasetImporter } from './run-preparation.js';
import { cliCommandFor, resolveConfigPaths, runConfigFromYaml, runConfigToYaml } from './run-yaml.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const RUNS_SERVICE_ERROR_CODES = ['err.run.notModelFolder', 'err.run.noAdapter'] as const;
const errText = errorText(RUNS_SERVICE_ERROR_CODES);

export interface RunsServiceOptions {
  /** The app (default) runs every queued run; the CLI runs only the one it was asked for. */
  readonly autoStart?: boolean;
  readonly binary?: RunManagerOptions['binary'];
}

export class RunsService implements IRunsService {
  readonly manager: RunManager;

  constructor(
    private readonly ctx: ServiceContext,
    options: RunsServiceOptions = {},
  ) {
    this.manager = new RunManager({ workspace: ctx.workspace, events: ctx.events, importer: this.importer(options.autoStart ?? true), autoStart: options.autoStart ?? true, binary: options.binary });
    void detectGpus().then((g) => this.manager.setHasGpu(g.length > 0));
  }

  /** Data files named by a run become workspace datasets; the same file (same SHA-256) is imported once. */
  private importer(useWorker: boolean): DatasetImporter {
    return async (projectId, file, signal) => {
      const fp = await fingerprint(file, signal);
      const existing = new DatasetsStore(this.ctx.workspace.db).findBySource(projectId, fp.sha256);
      if (existing.length > 0) return existing[existing.length - 1]!.id;
      const result = await new DatasetsService(this.ctx, { useWorker }).import({ projectId, file, skipBad: true, allowDuplicate: true });
      return result.dataset.id;
    };
  }

  private dto(id: number): RunDto {
    return toRunDto(this.manager.store.get(id), this.manager.store, this.ctx.workspace);
  }

  async create(request: CreateRunRequest): Promise<RunDto> {
    return this.createRun(request, false);
  }

  /** The CLI's create: the new run is reserved for this process (the app's queue leaves it alone). */
  async createOwned(request: CreateRunRequest): Promise<RunDto> {
    return this.createRun(request, true);
  }

  private async createRun(request: CreateRunRequest, owned: boolean): Promise<RunDto> {
    const req = CreateRunRequest.parse(request);
    new ProjectsStore(this.ctx.workspace.db).get(req.projectId);
    let config: RunConfig = req.config;
    if (req.parentRunId !== undefined && !config.adapterFrom) {
      const parent = this.dto(req.parentRunId);
      if (parent.adapterDir) config = { ...config, adapterFrom: parent.adapterDir };
    }
    if (!fs.existsSync(path.join(path.resolve(config.model), 'config.json'))) {
      throw new LatheError('bad_input', `${config.model} is not a model folder (no config.json).`, { file: config.model }, errText('err.run.notModelFolder', { model: config.model }));
    }
    const store = this.manager.store;
    const db = this.ctx.workspace.db;
    const run = db.transaction(() => {
      const name = req.name ?? defaultRunName(db, config, takeRunNumber(db, req.projectId));
      const r = store.create(req.projectId, name, config, req.parentRunId ?? null);
      if (owned) store.setOwner(r.row.id, { pid: process.pid, host: HOST });
      else if (!req.start) store.setStatus(r.row.id, 'draft');
      return store.get(r.row.id);
    })();
    const folder = runFolder(this.ctx.workspace.paths, req.projectId, run.row.id);
    await fs.promises.mkdir(folder.dir, { recursive: true });
    await fs.promises.writeFile(folder.yaml, runConfigToYaml(config, run.row.name));
    // The row as it is now, not as the transaction left it: the queue's heartbeat may have claimed the run meanwhile.
    this.manager.emitStatus(store.get(run.row.id));
    if (req.start) this.manager.pump();
    return this.dto(run.row.id);
  }

  async start({ id }: RunRef): Promise<RunDto> {
    const run = this.manager.store.get(id);
    if (run.row.status === 'queued') {
      this.manager.pump();
      return this.dto(id);
    }
    await this.manager.resume(id);
    return this.dto(id);
  }

  async pause({ id }: RunRef): Promise<RunDto> {
    await this.manager.pause(id);
    return this.dto(id);
  }

  async resume({ id }: RunRef): Promise<RunDto> {
    await this.manager.resume(id);
    return this.dto(id);
  }

  async stop({ id }: StopRequest): Promise<RunDto> {
    await this.manager.stop(id);
    return this.dto(id);
  }

  async delete({ id }: RunRef): Promise<{ readonly deleted: true }> {
    const run = this.manager.store.get(id);
    await this.manager.delete(id);
    this.ctx.events.emit('runs.status', { id, projectId: run.row.project_id, status: run.row.status, step: run.row.step, maxSteps: run.row.max_steps, error: run.error, removed: true });
    return { deleted: true };
  }

  async list({ projectId }: ListRunsRequest): Promise<readonly RunDto[]> {
    return this.manager.store.list(projectId).map((r) => toRunDto(r, this.manager.store, this.ctx.workspace));
  }

  async get({ id }: RunRef): Promise<RunDetailDto> {
    return toRunDetailDto(this.manager.store.get(id), this.manager.store, this.ctx.workspace);
  }

  async metrics({ id, sinceStep, kind }: MetricsRequest): Promise<readonly MetricPoint[]> {
    this.manager.store.get(id);
    return this.manager.store.metrics(id, sinceStep ?? 0, kind);
  }

  async logs(request: LogsRequest): Promise<LogsResult> {
    const { id, tailBytes } = LogsRequest.parse(request);
    const run = this.manager.store.get(id);
    const file = runFolder(this.ctx.workspace.paths, run.row.project_id, id).log;
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, 'r');
    } catch {
      return { text: '', truncated: false };
    }
    try {
      const size = (await handle.stat()).size;
      const start = Math.max(0, size - tailBytes);
      const buf = Buffer.alloc(size - start);
      await handle.read(buf, 0, buf.length, start);
      let text = buf.toString('utf8');
      if (start > 0) text = text.slice(text.indexOf('\n') + 1);
      return { text, truncated: start > 0 };
    } finally {
      await handle.close();
    }
  }

  async artifacts({ id }: RunRef): Promise<readonly ArtifactDto[]> {
    this.manager.store.get(id);
    return this.manager.store.artifacts(id);
  }

  async pruneCheckpoints({ id, keepLast }: PruneRequest): Promise<readonly ArtifactDto[]> {
    this.manager.store.get(id);
    return pruneCheckpoints(this.ctx.workspace, this.manager.store, id, keepLast);
  }

  async predictions(request: PredictionsRequest): Promise<PredictionsResult> {
    const { id, offset, limit } = PredictionsRequest.parse(request);
    const run = this.manager.store.get(id);
    const all = await readPredictions(runFolder(this.ctx.workspace.paths, run.row.project_id, id).predictions);
    return { total: all.length, scores: run.scores, predictions: all.slice(offset, offset + limit) };
  }

  async compare({ ids }: CompareRequest): Promise<CompareResult> {
    return { runs: ids.map((id) => ({ run: this.dto(id), metrics: this.manager.store.metrics(id) })) };
  }

  async retrain(request: RetrainRequest): Promise<RunDto> {
    const req = RetrainRequest.parse(request);
    const prev = this.manager.store.get(req.id);
    const prevDto = this.dto(req.id);
    let config: RunConfig = { ...prev.config, ...(req.datasets ? { datasets: req.datasets } : {}) };
    delete (config as { adapterFrom?: string }).adapterFrom;
    if (req.fromAdapter) {
      if (!prevDto.adapterDir) throw new LatheError('conflict', `Run ${req.id} has no adapter to start from; retrain it from scratch (fromAdapter: false) or resume it.`, undefined, errText('err.run.noAdapter', { id: req.id }));
      config = { ...config, adapterFrom: prevDto.adapterDir };
    }
    const generation = (prev.row.name.match(/ \(retrain (\d+)\)$/)?.[1] ?? '1') as string;
    const name = req.name ?? `${prev.row.name.replace(/ \(retrain \d+\)$/, '')} (retrain ${Number(generation) + 1})`;
    return this.create({ projectId: prev.row.project_id, name, config, parentRunId: req.id, start: req.start });
  }

  async defaults({ model, config }: DefaultsRequest): Promise<RunDefaultsDto> {
    return runDefaults({ model, config, gpus: await detectGpus() });
  }

  async cliCommand({ config, name }: CliCommandRequest): Promise<CliCommandResult> {
    const yaml = runConfigToYaml(config, name);
    return { yaml, command: cliCommandFor(`${name ? name.replace(/[^\w.-]+/g, '-') : 'run'}.yaml`, { home: this.ctx.workspace.paths.home }) };
  }

  async fromYaml({ yaml, baseDir }: YamlRequest): Promise<YamlResult> {
    const r = runConfigFromYaml(yaml);
    return { config: baseDir ? resolveConfigPaths(r.config, baseDir) : r.config, name: r.name, warnings: r.warnings };
  }

  dispose(): void {
    this.manager.dispose();
  }
}
