// The `preview` domain in main: per-record previews, dataset statistics and tokenizing a split to .ltok, for a
// model folder + template. Records come inline, from a file, or from a dataset stored in the workspace. Statistics
// and tokenizing run in worker threads with progress and cancel; this class only reads sources and adds up.
import { join } from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import {
  EncodeOptions,
  PreviewCancelRequest,
  PreviewDatasetRequest,
  PreviewRecordRequest,
  TokenizeRequest,
  type IPreviewService,
  type PreviewRecordDto,
  type PreviewResultDto,
  type TokenizeResultDto,
} from '../../preload/contract/preview.js';
import type { TemplateSpec } from '../../preload/contract/templates.js';
import { changeStamp } from '../db/change-stamp.js';
import { datasetRevision } from '../db/dataset-revision.js';
import { DatasetsStore } from '../db/datasets-store.js';
import { TemplatesStore } from '../db/templates-store.js';
import type { WorkspaceDb } from '../db/workspace-db.js';
import type { ServiceContext } from '../services/service-context.js';
import type { Workspace } from '../workspace/workspace.js';
import { tokenizeDataset } from '../tokenizer/tokenize-dataset.js';
import { readDatasetFile } from './dataset-file.js';
import { openEncodingSession, type EncodingSession } from './encoding-session.js';
import type { TurnChunk } from './measure-chunk.js';
import { MeasureCache, measureSource, setupKeyOf, type MeasureSource, type RecordsSource } from './measure-job.js';
import { StatsAccumulator } from './preview-stats.js';
import { layoutChunk } from './turn-layout.js';
import { previewRecord } from './record-preview.js';
import { StatsDiskCache } from './stats-disk-cache.js';
import { storedDatasetRecords, storedRow, storedRows } from './stored-dataset.js';

const CHUNK = 2000;
/** Chunks laid out between two yields to the event loop (~50,000 records, a few ms). */
const LAYOUT_SLICE = 25;
/** Cache files read at once when a stored pass is restored. */
const RESTORE_BATCH = 8;

export interface PreviewDeps {
  /** User-defined templates from the workspace. */
  userTemplates(): readonly TemplateSpec[];
  /** Folder for cached .ltok files; none disables the cache. */
  readonly cacheDir?: string | undefined;
  /** Folder for the statistics' measured chunks and passes (stats-disk-cache.ts); none keeps them in memory only. */
  readonly statsCacheDir?: string | undefined;
  /** A stored dataset's rows and split as an O(1) string that survives restarts (db/dataset-revision.ts). */
  datasetRevision?(id: number): string;
  onTokenizeProgress?(p: { jobId: string; done: number; total: number }): void;
  onDatasetProgress?(p: { jobId: string; done: number; total: number }): void;
  /** Records of a dataset stored in the workspace. */
  storedDataset?(id: number, split: 'train' | 'validation' | undefined): NormalisedRecord[];
  /** The workspace database, for a stored dataset's size and the rows shown in full. */
  readonly db?: WorkspaceDb | undefined;
  /** Its file: the statistics workers read a stored dataset's rows over connections of their own. */
  readonly dbFile?: string | undefined;
  /** Changes whenever the database is written to (change-stamp.ts); the same stamp lets a pass be reused. */
  dbStamp?(): string;
  /** Statistics worker script override (tests bundle one) and thread count. */
  readonly measureWorkerFile?: string | undefined;
  readonly measureWorkers?: number | undefined;
  /**
   * Told how each stored-dataset pass went (tests, the benchmark): the last pass reused ('memory'), a pass stored on
   * disk by an earlier run ('disk'), or rows read ('rows') with so many chunks from the cache, by so many workers.
   */
  onMeasured?(p: { from: 'memory' | 'disk' | 'rows'; cachedChunks: number; workers: number }): void;
}

interface SourceRequest {
  records?: NormalisedRecord[] | undefined;
  datasetFile?: string | undefined;
  datasetId?: number | undefined;
  split?: 'train' | 'validation' | undefined;
}

function recordsSource(records: readonly NormalisedRecord[]): RecordsSource {
  let from = 0;
  return {
    total: records.length,
    next() {
      if (from >= records.length) return null;
      const part = records.slice(from, from + CHUNK);
      const payload = { indexes: Int32Array.from(part, (_, i) => from + i), texts: part.map((r) => JSON.stringify(r)) };
      from += part.length;
      return { payload, rows: part.length };
    },
  };
}

export class PreviewService implements IPreviewService {
  private readonly disk: StatsDiskCache | undefined;
  private readonly cache: MeasureCache;
  /** The last stored-dataset pass: while the database is unchanged, a new cutoff re-reads nothing. */
  private lastPass: { readonly key: string; readonly stamp: string; readonly chunks: readonly TurnChunk[] } | undefined;
  private readonly jobs = new Map<string, AbortController>();
  private jobCounter = 0;

  constructor(private readonly deps: PreviewDeps) {
    this.disk = deps.statsCacheDir ? new StatsDiskCache(deps.statsCacheDir) : undefined;
    this.cache = new MeasureCache(undefined, this.disk);
  }

  /** A pass an earlier run stored under `passKey`, when every one of its chunks is still in the cache. */
  private async storedPass(passKey: string): Promise<readonly TurnChunk[] | undefined> {
    const keys = await this.disk?.readPass(passKey);
    if (!keys) return undefined;
    // A few files at a time: each is read and checked on this thread, so other calls get turns in between.
    const chunks: TurnChunk[] = [];
    for (let i = 0; i < keys.length; i += RESTORE_BATCH) {
      const part = await Promise.all(keys.slice(i, i + RESTORE_BATCH).map((k) => this.cache.lookup(k)));
      for (const c of part) {
        if (!c) return undefined;
        chunks.push(c);
      }
    }
    return chunks;
  }

  private db(): WorkspaceDb {
    if (!this.deps.db) throw new LatheError('unsupported', 'Stored datasets are not available here.');
    return this.deps.db;
  }

  private async loadRecords(r: SourceRequest): Promise<NormalisedRecord[]> {
    if (r.records) return r.records;
    if (r.datasetFile) return readDatasetFile(r.datasetFile);
    if (r.datasetId !== undefined) {
      if (!this.deps.storedDataset) throw new LatheError('unsupported', 'Stored datasets are not available here.');
      return this.deps.storedDataset(r.datasetId, r.split);
    }
    throw new LatheError('invalid_request', 'Give records, a datasetFile or a datasetId.');
  }

  /** A job's abort signal under the caller's id (a fresh one when none), released by `done`. */
  private startJob(jobId: string | undefined): { id: string; signal: AbortSignal; done(): void } {
    const id = jobId ?? `preview-${++this.jobCounter}`;
    if (this.jobs.has(id)) throw new LatheError('conflict', `A preview job with id ${id} is already running.`);
    const ac = new AbortController();
    this.jobs.set(id, ac);
    return { id, signal: ac.signal, done: () => this.jobs.delete(id) };
  }

  async record(request: PreviewRecordRequest): Promise<PreviewRecordDto> {
    const r = PreviewRecordRequest.parse(request);
    const s = await openEncodingSession(r.modelPath, r.template, this.deps.userTemplates());
    if (r.record) return previewRecord(s.encoder, r.record, r.index, r.options);
    if (r.datasetId === undefined) throw new LatheError('invalid_request', 'Give a record, or a datasetId and the row index.');
    const row = storedRow(this.db(), r.datasetId, r.index);
    return { ...previewRecord(s.encoder, row.record, r.index, r.options), ...(row.excluded ? { excluded: true } : {}) };
  }

  async dataset(request: PreviewDatasetRequest): Promise<PreviewResultDto> {
    const r = PreviewDatasetRequest.parse(request);
    const s = await openEncodingSession(r.modelPath, r.template, this.deps.userTemplates());
    checkOptions(s, r.options);
    let source: MeasureSource;
    let shown: { index: number; record: NormalisedRecord }[];
    const setup = { tokenizerPath: s.tokenizerPath, template: s.template, special: s.special, options: r.options };
    const setupKey = setupKeyOf(s.tokenizerSha256, setup);
    let pass: { key: string; stamp: string } | undefined;
    let diskPass: string | undefined;
    if (r.datasetId !== undefined && !r.records && !r.datasetFile) {
      pass = this.deps.dbStamp ? { key: `${r.datasetId}:${r.split ?? ''}:${setupKey}`, stamp: this.deps.dbStamp() } : undefined;
      // Read before the pass, like the stamp: an edit during it makes the next request read the rows again.
      diskPass = this.disk && this.deps.datasetRevision ? `stats-pass-v1\0${this.deps.datasetRevision(r.datasetId)}\0${r.split ?? ''}\0${setupKey}` : undefined;
      if (!this.deps.dbFile) throw new LatheError('unsupported', 'Stored datasets are not available here.');
      // Only the size is read here; the workers read the rows (stored-chunks.ts).
      source = { total: new DatasetsStore(this.db()).get(r.datasetId).rowCount, stored: { dbFile: this.deps.dbFile, datasetId: r.datasetId, split: r.split }, chunkRows: CHUNK };
      shown = r.rows > 0 ? storedRows(this.db(), r.datasetId, r.split, r.offset, r.rows).map((x) => ({ index: x.idx, record: x.record })) : [];
    } else {
      const records = await this.loadRecords(r);
      source = recordsSource(records);
      shown = records.slice(r.offset, r.offset + r.rows).map((record, i) => ({ index: r.offset + i, record }));
    }
    const job = this.startJob(r.jobId);
    let last = 0;
    try {
      const inMemory = pass && this.lastPass?.key === pass.key && this.lastPass.stamp === pass.stamp ? this.lastPass.chunks : undefined;
      const onDisk = !inMemory && diskPass ? await this.storedPass(diskPass) : undefined;
      const reuse = inMemory ?? onDisk;
      if (reuse && r.jobId) this.deps.onDatasetProgress?.({ jobId: r.jobId, done: source.total, total: source.total });
      const fresh = reuse ? undefined : await measureSource({
        source,
        setup,
        setupKey,
        encoder: s.encoder,
        cache: this.cache,
        workerFile: this.deps.measureWorkerFile,
        workers: this.deps.measureWorkers,
        signal: job.signal,
        onProgress: (done, total) => {
          const now = performance.now();
          // Throttled: at most ten progress events a second, plus the last one.
          if (r.jobId && (now - last > 100 || done === total)) {
            last = now;
            this.deps.onDatasetProgress?.({ jobId: r.jobId, done, total });
          }
        },
      });
      const chunks = reuse ?? fresh!.chunks;
      // The stamp taken before the pass: a write during it makes the next request read again.
      if (pass) this.lastPass = { ...pass, chunks };
      if (fresh && diskPass) this.disk!.writePass(diskPass, fresh.keys);
      this.deps.onMeasured?.({ from: inMemory ? 'memory' : onDisk ? 'disk' : 'rows', cachedChunks: fresh?.cachedChunks ?? 0, workers: fresh?.workers ?? 0 });
      // Laid out and added up a few chunks at a time (a million records take ~100 ms): the app's other calls get in between.
      const layout = { ...r.options, efficientEos: s.template.kind === 'spec' && !!s.template.spec.efficientEos, hasEos: s.encoder.eosId !== null };
      const acc = new StatsAccumulator(r.options.cutoffLen);
      for (let i = 0; i < chunks.length; i++) {
        if (i > 0 && i % LAYOUT_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        acc.add(layoutChunk(chunks[i]!, layout));
      }
      return {
        template: s.templateName,
        warnings: [...s.warnings],
        records: shown.map((x) => previewRecord(s.encoder, x.record, x.index, r.options)),
        stats: acc.result(r.batchSize, r.gradientAccumulation),
      };
    } finally {
      job.done();
    }
  }

  async tokenize(request: TokenizeRequest): Promise<TokenizeResultDto> {
    const r = TokenizeRequest.parse(request);
    const t0 = performance.now();
    const s = await openEncodingSession(r.modelPath, r.template, this.deps.userTemplates());
    const records = await this.loadRecords(r);
    const jobId = r.jobId;
    const job = this.startJob(jobId);
    let last = 0;
    try {
      const res = await tokenizeDataset({
        records,
        tokenizer: s.tokenizer,
        tokenizerSha256: s.tokenizerSha256,
        setup: { tokenizerPath: s.tokenizerPath, template: s.template, special: s.special, options: EncodeOptions.parse(r.options) },
        outFile: r.outFile,
        cacheDir: this.deps.cacheDir,
        workers: r.workers,
        signal: job.signal,
        onProgress: (done, total) => {
          const now = performance.now();
          // Throttled: at most ten progress events a second, plus the last one.
          if (jobId && (now - last > 100 || done === total)) {
            last = now;
            this.deps.onTokenizeProgress?.({ jobId, done, total });
          }
        },
      });
      return {
        outFile: res.outFile,
        cacheKey: res.cacheKey,
        cached: res.cached,
        records: res.records,
        skipped: [...res.skipped],
        tokens: res.tokens,
        trainableTokens: res.trainableTokens,
        bytes: res.bytes,
        template: s.templateName,
        seconds: (performance.now() - t0) / 1000,
      };
    } finally {
      job.done();
    }
  }

  async cancel(request: PreviewCancelRequest): Promise<{ readonly cancelled: boolean }> {
    const r = PreviewCancelRequest.parse(request);
    const job = this.jobs.get(r.jobId);
    job?.abort();
    return { cancelled: job !== undefined };
  }

  /** Resolves once the statistics cache files asked for so far are written (tests, the benchmark). */
  flushStatsCache(): Promise<void> {
    return this.disk?.flush() ?? Promise.resolve();
  }

  dispose(): void {
    for (const job of this.jobs.values()) job.abort();
  }
}

/** Refused up front rather than once per record: every record would be skipped with the same reason. */
function checkOptions(s: EncodingSession, o: { trainOnPrompt: boolean }): void {
  if (s.template.kind === 'spec' && s.template.spec.efficientEos && o.trainOnPrompt) {
    throw new LatheError('bad_input', 'This template does not support train_on_prompt (efficient EOS).');
  }
}

/** The service over a workspace: user templates from its database, the cache in its cache folder. */
export function previewDepsFor(ws: Workspace, events?: Pick<PreviewDeps, 'onTokenizeProgress' | 'onDatasetProgress'>): PreviewDeps {
  const templates = new TemplatesStore(ws.db);
  return {
    userTemplates: () => templates.list(),
    cacheDir: join(ws.paths.cache, 'ltok'),
    statsCacheDir: join(ws.paths.cache, 'preview-stats'),
    datasetRevision: (id) => datasetRevision(ws.db, id),
    storedDataset: (id, split) => storedDatasetRecords(ws.db, id, split),
    db: ws.db,
    dbFile: ws.paths.dbFile,
    dbStamp: () => changeStamp(ws.db),
    ...events,
  };
}

/** The composition root's one-liner: the service over the context's workspace and event hub. */
export function createPreviewService(ctx: ServiceContext): PreviewService {
  return new PreviewService(
    previewDepsFor(ctx.workspace, {
      onTokenizeProgress: (p) => ctx.events.emit('preview.tokenizeProgress', p),
      onDatasetProgress: (p) => ctx.events.emit('preview.datasetProgress', p),
    }),
  );
}
