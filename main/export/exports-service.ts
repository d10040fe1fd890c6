// The `exports` domain in main: starts an export job in a worker thread, relays throttled `exports.progress`
// events, verifies the result (engine, llama.cpp, onnxruntime) and records it as an artifact. Jobs live in memory;
// finished exports live in the DB. Does no merging or file writing on this thread.
import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  ExportJobRef,
  ExportRef,
  ListExportsRequest,
  StartExportRequest,
  type ExportDto,
  type ExportJobDto,
  type ExportProgressEvent,
  type IExportsService,
  type VerificationDto,
} from '../../preload/contract/exports.js';
import { errorText, LatheError } from '../../preload/contract/errors.js';
import { ExportsStore } from '../db/exports-store.js';
import { Batcher } from '../ipc/throttle.js';
import type { ServiceContext } from '../services/service-context.js';
import { removeStalePartials } from './atomic-output.js';
import { resolveExport } from './export-inputs.js';
import type { ExportJobSpec } from './export-job.js';
import { runExport } from './export-runner.js';
import { verifyExport } from './verify-export.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const EXPORTS_SERVICE_ERROR_CODES = ['err.export.running'] as const;
const errText = errorText(EXPORTS_SERVICE_ERROR_CODES);

/** At most one progress event per job this often. */
const PROGRESS_MS = 200;

interface Job {
  dto: ExportJobDto;
  abort: AbortController;
  done: Promise<void>;
}

export interface ExportsDeps {
  /** Replaces the worker-thread runner (tests). */
  readonly run?: typeof runExport;
  /** lathe-engine path for verification; undefined: find it, null: skip engine checks. */
  readonly engine?: string | null;
}

export class ExportsService implements IExportsService {
  private readonly jobs = new Map<string, Job>();
  private readonly store: ExportsStore;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly deps: ExportsDeps = {},
  ) {
    this.store = new ExportsStore(ctx.workspace.db, ctx.workspace.paths.home);
    void this.sweep();
  }

  /** Leftovers of exports killed mid-way, in every project's exports folder (best effort, in the background). */
  private async sweep(): Promise<void> {
    try {
      const projects = path.join(this.ctx.workspace.paths.home, 'projects');
      const ids = await readdir(projects).catch(() => [] as string[]);
      for (const id of ids) await removeStalePartials(path.join(projects, id, 'exports'));
    } catch {
      // Never fatal: a partial folder only costs disk space.
    }
  }

  async start(request: StartExportRequest): Promise<ExportJobDto> {
    const req = StartExportRequest.parse(request);
    const resolved = resolveExport(req, this.ctx.workspace);
    for (const j of this.jobs.values()) {
      if ((j.dto.status === 'running' || j.dto.status === 'verifying') && j.dto.out === resolved.spec.outDir) {
        throw new LatheError('conflict', `An export into ${resolved.spec.outDir} is already running.`, undefined, errText('err.export.running', { dir: resolved.spec.outDir }));
      }
    }
    const jobId = randomUUID();
    const abort = new AbortController();
    const job: Job = {
      dto: { jobId, status: 'running', format: req.format, out: resolved.spec.outDir, fraction: 0, message: 'Starting', result: null, error: null },
      abort,
      done: Promise.resolve(),
    };
    this.jobs.set(jobId, job);
    job.done = this.execute(job, resolved.spec, resolved.projectId, resolved.runId, req.verify ?? true);
    return job.dto;
  }

  private async execute(job: Job, spec: ExportJobSpec, projectId: number | null, runId: number | null, verify: boolean): Promise<void> {
    const batcher = new Batcher<ExportProgressEvent>(PROGRESS_MS, (items) => this.ctx.events.emit('exports.progress', items[items.length - 1]!));
    const set = (patch: Partial<ExportJobDto>) => {
      job.dto = { ...job.dto, ...patch };
    };
    try {
      const result = await (this.deps.run ?? runExport)(spec, {
        signal: job.abort.signal,
        onProgress: (p) => {
          set({ fraction: p.fraction * (verify ? 0.9 : 1), message: p.message });
          batcher.push({ jobId: job.dto.jobId, phase: p.phase, fraction: job.dto.fraction, message: p.message });
        },
      });
      let verification: VerificationDto[] = [];
      if (verify) {
        set({ status: 'verifying', fraction: 0.9, message: 'Verifying the export' });
        batcher.push({ jobId: job.dto.jobId, phase: 'verifying', fraction: 0.9, message: 'Verifying the export' });
        verification = await verifyExport(result, spec, { engine: this.deps.engine });
      }
      const bytes = result.files.reduce((a, f) => a + f.bytes, 0);
      if (projectId !== null) {
        this.store.add({ projectId, runId, format: spec.format, out: result.out, bytes, verification, options: { dtype: spec.dtype, quant: spec.quant, base: spec.baseDir, adapter: spec.adapterDir } });
      }
      set({ status: 'completed', fraction: 1, message: 'Done', result: { format: result.format, out: result.out, files: result.files, verification } });
    } catch (err) {
      const e = LatheError.from(err);
      set({ status: e.code === 'cancelled' ? 'cancelled' : 'failed', message: e.message, error: { code: e.code, message: e.message } });
    } finally {
      batcher.close();
      this.ctx.events.emit('exports.finished', { jobId: job.dto.jobId, job: job.dto });
    }
  }

  async get(request: ExportJobRef): Promise<ExportJobDto> {
    const { jobId } = ExportJobRef.parse(request);
    const job = this.jobs.get(jobId);
    if (!job) throw new LatheError('not_found', `There is no export job ${jobId}.`);
    return job.dto;
  }

  async cancel(request: ExportJobRef): Promise<ExportJobDto> {
    const { jobId } = ExportJobRef.parse(request);
    const job = this.jobs.get(jobId);
    if (!job) throw new LatheError('not_found', `There is no export job ${jobId}.`);
    job.abort.abort();
    await job.done;
    return job.dto;
  }

  async list(request: ListExportsRequest): Promise<readonly ExportDto[]> {
    const r = ListExportsRequest.parse(request);
    return this.store.list(r);
  }

  async remove(request: ExportRef): Promise<{ readonly removed: true }> {
    const { id } = ExportRef.parse(request);
    const e = this.store.get(id);
    await rm(e.path, { recursive: true, force: true });
    this.store.remove(id);
    return { removed: true };
  }

  /** Waits for a job (tests and the CLI). */
  async wait(jobId: string): Promise<ExportJobDto> {
    await this.jobs.get(jobId)?.done;
    return this.get({ jobId });
  }

  dispose(): void {
    for (const j of this.jobs.values()) j.abort.abort();
  }
}
