// The datasets domain's service: inspect, preview, validate, import (in a worker, cancellable, with progress
// events), LLaMA-Factory folders, row paging with search and filters, row edits, splits, export. It validates
// requests with the contract's schemas (callers in-process skip the IPC layer) and leaves SQL to DatasetsStore.
import path from 'node:path';
import {
  CancelRequest,
  DatasetRef,
  EditRowRequest,
  ExcludeRowRequest,
  ExportRequest,
  ImportLlamaFactoryRequest,
  ImportRequest,
  InspectRequest,
  ListDatasetsRequest,
  PreviewRequest,
  RowsRequest,
  SetSplitRequest,
  ValidateRequest,
  type DatasetDto,
  type DatasetRowDto,
  type ExportResult,
  type IDatasetsService,
  type ImportLlamaFactoryResult,
  type ImportResult,
  type NormalisedRecord,
  type PreviewResult,
  type RowFilter,
  type RowsResult,
  type SourceInspection,
  type ValidationReport,
} from '../../preload/contract/datasets.js';
import { LatheError } from '../../preload/contract/errors.js';
import { DatasetsStore, type StoredRow } from '../db/datasets-store.js';
import type { ServiceContext } from '../services/service-context.js';
import { resolveInside } from '../workspace/safe-path.js';
import { discardAbandonedImports } from './abandoned-imports.js';
import { RemovalQueue } from './dataset-removal.js';
import { exportDataset } from './dataset-exporter.js';
import type { ImportProgress } from './import-pipeline.js';
import { startImport, type RunningImport } from './import-runner.js';
import type { ImportTask, ImportTaskResult } from './import-task.js';
import { previewSample, SampleCache } from './source-sample.js';
import { windowFromSample } from './source-window.js';
import { SourceWindowThread } from './source-window-thread.js';
import { validationSet } from './split.js';
import { validateSource } from './validate-source.js';

/** Search results kept for paging (a few MB each at a million rows). */
const MATCH_CACHE_SIZE = 4;

export interface DatasetsServiceOptions {
  /** Run imports in a worker thread (the app). The CLI runs them inline. Default true. */
  readonly useWorker?: boolean;
  /** Worker script override (tests bundle one); default: the compiled import-worker.js. */
  readonly workerFile?: string;
  /** Window-read worker script override (tests bundle one); default: the compiled source-window-worker.js. */
  readonly windowWorkerFile?: string;
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string; path: PropertyKey[] }[] } } }, v: unknown): T {
  const r = schema.safeParse(v);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new LatheError('invalid_request', `${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'invalid'}`);
}

export class DatasetsService implements IDatasetsService {
  private readonly store: DatasetsStore;
  private readonly samples = new SampleCache();
  /** Reads past the cached sample, in a worker, from the nearest indexed row (source-window-thread.ts). */
  private readonly windows: SourceWindowThread;
  private readonly jobs = new Map<string, { cancel(): void }>();
  private readonly splitCache = new Map<string, Set<number>>();
  private readonly matchCache = new Map<string, number[]>();
  private jobCounter = 0;
  /**
   * Removal of what killed imports left (invisible already), then of row files no dataset owns, started at
   * construction; resolves to the killed imports' ids.
   */
  readonly cleanedUp: Promise<number[]>;
  /** Row deletion of removed datasets, in the background (remove() returns once the dataset is hidden). */
  readonly removals: RemovalQueue;
  /** Removals a killed process left unfinished, resumed at construction; resolves to their ids once done. */
  readonly removalsResumed: Promise<number[]>;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly options: DatasetsServiceOptions = {},
  ) {
    this.store = new DatasetsStore(ctx.workspace.db);
    this.windows = new SourceWindowThread(...(options.windowWorkerFile ? [options.windowWorkerFile] : []));
    this.cleanedUp = discardAbandonedImports(this.store)
      .then((ids) => (this.store.sweepRowFiles(), ids))
      .catch(() => []);
    this.removals = new RemovalQueue(this.store);
    this.removalsResumed = this.removals.resume().catch(() => []);
  }

  async inspect(request: unknown): Promise<SourceInspection> {
    const req = parse(InspectRequest, request);
    return (await this.samples.get(req.file, req.options)).inspection;
  }

  async preview(request: unknown): Promise<PreviewResult> {
    const req = parse(PreviewRequest, request);
    const sample = await this.samples.get(req.file, req.options);
    if (req.offset === 0 && req.fromRow === undefined) return previewSample(sample, req.mapping, req.limit);
    // Past the cached sample: read in a worker from the file's nearest indexed row; a later jump cancels this one.
    const start = req.fromRow === undefined ? { offset: req.offset } : { fromRow: req.fromRow };
    const items = windowFromSample(sample, start, req.limit) ?? (await this.windows.read({ file: req.file, options: req.options, inspection: sample.inspection, start, limit: req.limit })).items;
    const result = previewSample({ inspection: sample.inspection, items }, req.mapping, req.limit);
    const values = new Map(items.map((i) => [i.row, i.type === 'record' ? i.values : undefined]));
    return { records: result.records.map((r) => ({ ...r, ...(values.get(r.row) ? { values: { ...values.get(r.row) } } : {}) })) };
  }

  async validate(request: unknown): Promise<ValidationReport> {
    const req = parse(ValidateRequest, request);
    const jobId = req.jobId ?? this.newJobId();
    const ac = new AbortController();
    this.jobs.set(jobId, { cancel: () => ac.abort() });
    try {
      return await validateSource(req.file, req.options, req.mapping, {
        signal: ac.signal,
        onProgress: (bytesRead, totalBytes, rows) => this.ctx.events.emit('datasets.importProgress', { jobId, phase: 'reading', bytesRead, totalBytes, rows }),
      });
    } finally {
      this.jobs.delete(jobId);
    }
  }

  async import(request: unknown): Promise<ImportResult> {
    const req = parse(ImportRequest, request);
    const { jobId: _j, ...job } = req;
    const result = (await this.run(req.jobId, { kind: 'file', job: { ...job, ...(req.mapping ? { mapping: req.mapping } : {}) } })) as ImportResult;
    this.ctx.events.emit('datasets.changed', { id: result.dataset.id, change: 'created' });
    return result;
  }

  async importLlamaFactory(request: unknown): Promise<ImportLlamaFactoryResult> {
    const req = parse(ImportLlamaFactoryRequest, request);
    const result = (await this.run(req.jobId, { kind: 'llamafactory', projectId: req.projectId, dir: req.dir })) as ImportLlamaFactoryResult;
    for (const i of result.imported) this.ctx.events.emit('datasets.changed', { id: i.dataset.id, change: 'created' });
    return result;
  }

  async cancel(request: unknown): Promise<{ readonly cancelled: boolean }> {
    const req = parse(CancelRequest, request);
    const job = this.jobs.get(req.jobId);
    job?.cancel();
    return { cancelled: job !== undefined };
  }

  async list(request: unknown): Promise<readonly DatasetDto[]> {
    const req = parse(ListDatasetsRequest, request);
    return this.store.list(req.projectId);
  }

  async get(request: unknown): Promise<DatasetDto> {
    return this.store.get(parse(DatasetRef, request).id);
  }

  async rows(request: unknown): Promise<RowsResult> {
    const req = parse(RowsRequest, request);
    const dataset = this.store.get(req.id);
    const val = this.validation(dataset);
    const search = req.search?.trim() ?? '';
    let filter: RowFilter = req.filter ?? 'all';
    if (req.split) {
      if (filter !== 'all' && filter !== req.split) throw new LatheError('invalid_request', `split "${req.split}" cannot be combined with filter "${filter}": use the filter alone.`);
      filter = req.split;
    }
    if (search === '' && filter === 'all') {
      const rows = this.store.rows(req.id, req.offset, req.limit).map((r) => this.rowDto(r, val));
      return { total: dataset.rowCount, matched: dataset.rowCount, rows };
    }
    // A first page (offset 0) starts a new search and so rereads the rows; later pages page through its result.
    const idxs = this.matching(dataset, search, filter, val, req.offset === 0);
    const total = req.split ? (search === '' ? idxs.length : this.matching(dataset, '', req.split, val, false).length) : dataset.rowCount;
    const page = idxs.slice(req.offset, req.offset + req.limit);
    return { total, matched: idxs.length, rows: page.map((i) => this.rowDto(this.store.row(req.id, i), val)) };
  }

  async editRow(request: unknown): Promise<DatasetRowDto> {
    const req = parse(EditRowRequest, request);
    this.store.edit(req.id, req.idx, req.record);
    this.dropMatches(req.id);
    this.ctx.events.emit('datasets.changed', { id: req.id, change: 'edited' });
    return this.rowDto(this.store.row(req.id, req.idx), this.validation(this.store.get(req.id)));
  }

  async excludeRow(request: unknown): Promise<DatasetRowDto> {
    const req = parse(ExcludeRowRequest, request);
    this.store.exclude(req.id, req.idx, req.excluded);
    this.dropSplit(req.id);
    this.ctx.events.emit('datasets.changed', { id: req.id, change: 'edited' });
    return this.rowDto(this.store.row(req.id, req.idx), this.validation(this.store.get(req.id)));
  }

  async setSplit(request: unknown): Promise<DatasetDto> {
    const req = parse(SetSplitRequest, request);
    this.store.setSplit(req.id, req.seed, req.valRatio);
    this.ctx.events.emit('datasets.changed', { id: req.id, change: 'split' });
    return this.store.get(req.id);
  }

  async export(request: unknown): Promise<ExportResult> {
    const req = parse(ExportRequest, request);
    const dataset = this.store.get(req.id);
    const out = path.isAbsolute(req.out) ? req.out : resolveInside(this.ctx.workspace.paths.project(dataset.projectId), 'exports', req.out);
    return exportDataset(this.store, req.id, req.format, out, req.includeExcluded);
  }

  async remove(request: unknown): Promise<{ readonly removed: true }> {
    const { id } = parse(DatasetRef, request);
    this.store.remove(id);
    // Hidden now; its edits and row file go after this returns (a failure there is retried at the next start).
    this.removals.add(id).catch(() => undefined);
    this.dropSplit(id);
    this.ctx.events.emit('datasets.changed', { id, change: 'removed' });
    return { removed: true };
  }

  dispose(): void {
    for (const job of this.jobs.values()) job.cancel();
    this.removals.stop();
    this.windows.dispose();
    this.store.close();
  }

  private newJobId(): string {
    return `job-${Date.now().toString(36)}-${++this.jobCounter}`;
  }

  private async run(jobId: string | undefined, task: ImportTask): Promise<ImportTaskResult> {
    const id = jobId ?? this.newJobId();
    if (this.jobs.has(id)) throw new LatheError('conflict', `An import with job id ${id} is already running.`);
    let last: ImportProgress = { phase: 'reading', bytesRead: 0, totalBytes: 0, rows: 0 };
    const running: RunningImport = startImport(
      { store: this.store, dbFile: this.ctx.workspace.paths.dbFile, useWorker: this.options.useWorker ?? true, ...(this.options.workerFile ? { workerFile: this.options.workerFile } : {}) },
      task,
      (p) => {
        last = p;
        this.ctx.events.emit('datasets.importProgress', { jobId: id, ...p });
      },
    );
    this.jobs.set(id, running);
    try {
      return await running.result;
    } catch (err) {
      const e = LatheError.from(err);
      this.ctx.events.emit('datasets.importProgress', { jobId: id, ...last, phase: e.code === 'cancelled' ? 'cancelled' : 'failed' });
      throw e;
    } finally {
      this.jobs.delete(id);
    }
  }

  private validation(d: DatasetDto): Set<number> {
    const key = `${d.id}:${d.splitSeed}:${d.valRatio}`;
    let set = this.splitCache.get(key);
    if (!set) {
      this.dropSplit(d.id);
      set = d.valRatio > 0 ? validationSet(this.store.includedIdxs(d.id), d.splitSeed, d.valRatio) : new Set();
      this.splitCache.set(key, set);
    }
    return set;
  }

  private dropSplit(id: number): void {
    for (const k of this.splitCache.keys()) if (k.startsWith(`${id}:`)) this.splitCache.delete(k);
    this.dropMatches(id);
  }

  /** Positions of the rows a search + filter keeps, in order; the last few answers are kept for paging. */
  private matching(d: DatasetDto, search: string, filter: RowFilter, val: Set<number>, fresh: boolean): number[] {
    const key = `${d.id}:${d.splitSeed}:${d.valRatio}:${filter}:${search}`;
    let idxs = fresh ? undefined : this.matchCache.get(key);
    if (idxs) {
      this.matchCache.delete(key); // most recently used last
    } else {
      const split = filter === 'train' || filter === 'validation' ? filter : undefined;
      idxs = this.store.matchingIdxs(d.id, search, filter === 'train' || filter === 'validation' ? 'included' : filter);
      // The split is decided in JS (split.ts: a seeded hash ranked over the included rows), so it filters here.
      if (split) idxs = idxs.filter((i) => val.has(i) === (split === 'validation'));
    }
    this.matchCache.set(key, idxs);
    while (this.matchCache.size > MATCH_CACHE_SIZE) this.matchCache.delete(this.matchCache.keys().next().value!);
    return idxs;
  }

  private dropMatches(id: number): void {
    for (const k of this.matchCache.keys()) if (k.startsWith(`${id}:`)) this.matchCache.delete(k);
  }

  private rowDto(r: StoredRow, val: Set<number>): DatasetRowDto {
    const original = JSON.parse(r.record) as NormalisedRecord;
    const record = r.edited_record ? (JSON.parse(r.edited_record) as NormalisedRecord) : original;
    return { idx: r.idx, sourceRow: r.source_row, record, original, edited: r.edited_record !== null, excluded: r.excluded === 1, split: val.has(r.idx) ? 'validation' : 'train' };
  }
}
