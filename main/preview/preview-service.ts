// The `preview` domain in main: per-record previews, dataset statistics and tokenizing a split to .ltok, for a
// model folder + template. Reads records inline or from a file; datasets stored in the workspace come later.
import { join } from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import {
  EncodeOptions,
  PreviewDatasetRequest,
  PreviewRecordRequest,
  TokenizeRequest,
  type IPreviewService,
  type PreviewRecordDto,
  type PreviewResultDto,
  type TokenizeResultDto,
} from '../../preload/contract/preview.js';
import type { TemplateSpec } from '../../preload/contract/templates.js';
import { TemplatesStore } from '../db/templates-store.js';
import type { ServiceContext } from '../services/service-context.js';
import type { Workspace } from '../workspace/workspace.js';
import { storedDatasetRecords } from './stored-dataset.js';
import { IGNORE_INDEX } from '../templates/record-encoder.js';
import { tokenizeDataset } from '../tokenizer/tokenize-dataset.js';
import { readDatasetFile } from './dataset-file.js';
import { openEncodingSession } from './encoding-session.js';
import { datasetStats, type RecordLength } from './preview-stats.js';
import { previewRecord } from './record-preview.js';

export interface PreviewDeps {
  /** User-defined templates from the workspace. */
  userTemplates(): readonly TemplateSpec[];
  /** Folder for cached .ltok files; none disables the cache. */
  readonly cacheDir?: string | undefined;
  onTokenizeProgress?(p: { jobId: string; done: number; total: number }): void;
  /** Records of a dataset stored in the workspace. */
  storedDataset?(id: number, split: 'train' | 'validation' | undefined): NormalisedRecord[];
}

interface SourceRequest {
  records?: NormalisedRecord[] | undefined;
  datasetFile?: string | undefined;
  datasetId?: number | undefined;
  split?: 'train' | 'validation' | undefined;
}

export class PreviewService implements IPreviewService {
  constructor(private readonly deps: PreviewDeps) {}

  private async loadRecords(r: SourceRequest): Promise<NormalisedRecord[]> {
    if (r.records) return r.records;
    if (r.datasetFile) return readDatasetFile(r.datasetFile);
    if (r.datasetId !== undefined) {
      if (!this.deps.storedDataset) throw new LatheError('unsupported', 'Stored datasets are not available here.');
      return this.deps.storedDataset(r.datasetId, r.split);
    }
    throw new LatheError('invalid_request', 'Give records, a datasetFile or a datasetId.');
  }

  async record(request: PreviewRecordRequest): Promise<PreviewRecordDto> {
    const r = PreviewRecordRequest.parse(request);
    const s = await openEncodingSession(r.modelPath, r.template, this.deps.userTemplates());
    return previewRecord(s.encoder, r.record, r.index, r.options);
  }

  async dataset(request: PreviewDatasetRequest): Promise<PreviewResultDto> {
    const r = PreviewDatasetRequest.parse(request);
    const s = await openEncodingSession(r.modelPath, r.template, this.deps.userTemplates());
    const records = await this.loadRecords(r);
    const shown: PreviewRecordDto[] = [];
    const lengths: RecordLength[] = [];
    let skipped = 0;
    records.forEach((rec, i) => {
      if (i >= r.offset && i < r.offset + r.rows) {
        const p = previewRecord(s.encoder, rec, i, r.options);
        shown.push(p);
        if (p.ok) lengths.push({ length: p.tokenCount, trainable: p.trainableCount, truncated: p.truncated });
        else skipped++;
        return;
      }
      let e;
      try {
        e = s.encoder.encode(rec, r.options);
      } catch {
        e = null;
      }
      if (!e || !e.ok) {
        skipped++;
        return;
      }
      let trainable = 0;
      for (const l of e.labels) if (l !== IGNORE_INDEX) trainable++;
      lengths.push({ length: e.inputIds.length, trainable, truncated: e.truncated });
    });
    return {
      template: s.templateName,
      warnings: [...s.warnings],
      records: shown,
      stats: datasetStats(lengths, skipped, r.options.cutoffLen, r.batchSize, r.gradientAccumulation),
    };
  }

  async tokenize(request: TokenizeRequest): Promise<TokenizeResultDto> {
    const r = TokenizeRequest.parse(request);
    const t0 = performance.now();
    const s = await openEncodingSession(r.modelPath, r.template, this.deps.userTemplates());
    const records = await this.loadRecords(r);
    const jobId = r.jobId;
    let last = 0;
    const res = await tokenizeDataset({
      records,
      tokenizer: s.tokenizer,
      tokenizerSha256: s.tokenizerSha256,
      setup: { tokenizerPath: s.tokenizerPath, template: s.template, special: s.special, options: EncodeOptions.parse(r.options) },
      outFile: r.outFile,
      cacheDir: this.deps.cacheDir,
      workers: r.workers,
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
  }
}

/** The service over a workspace: user templates from its database, the cache in its cache folder. */
export function previewDepsFor(ws: Workspace, emit?: PreviewDeps['onTokenizeProgress']): PreviewDeps {
  const templates = new TemplatesStore(ws.db);
  return {
    userTemplates: () => templates.list(),
    cacheDir: join(ws.paths.cache, 'ltok'),
    storedDataset: (id, split) => storedDatasetRecords(ws.db, id, split),
    ...(emit ? { onTokenizeProgress: emit } : {}),
  };
}

/** The composition root's one-liner: the service over the context's workspace and event hub. */
export function createPreviewService(ctx: ServiceContext): PreviewService {
  return new PreviewService(previewDepsFor(ctx.workspace, (p) => ctx.events.emit('preview.tokenizeProgress', p)));
}
