// In-memory stand-ins for the bridge services, for slice tests: behaviour close enough to main's to exercise the
// slices' logic (ordering, progress, cancel, errors), with hooks to hold answers back. Never used by the app.
import type { DatasetDto, ImportProgressEvent, Mapping, NormalisedRecord, SourceInspection, ValidationReport } from '../../../../preload/contract/datasets.js';
import type { MetricPoint, RunConfig, RunDto, RunLogEvent, RunMetricsEvent, RunStatusEvent } from '../../../../preload/contract/runs.js';
import { LatheError } from '../../bridge/lathe-error.js';
import type { DatasetsService } from '../../services/datasets.js';
import type { PreviewService } from '../../services/preview.js';
import type { ExportsService } from '../../services/exports.js';
import type { ExportDto, ExportFinishedEvent, ExportJobDto, ExportProgressEvent, StartExportRequest } from '../../../../preload/contract/exports.js';
import type { ModelCardDto } from '../../../../preload/contract/models.js';
import type { DatasetProgressEvent, PreviewRecordDto } from '../../../../preload/contract/preview.js';
import type { Notice } from '../../../../preload/contract/message-code.js';
import type { RunsService } from '../../services/runs.js';
import { createLatheStore, type StoreDeps } from '../index.js';

type Listener<T> = (e: T) => void;

export function emitter<T>() {
  const ls = new Set<Listener<T>>();
  return {
    on(l: Listener<T>) {
      ls.add(l);
      return () => void ls.delete(l);
    },
    emit: (e: T) => ls.forEach((l) => l(e)),
    count: () => ls.size,
  };
}

export const suggested: Mapping = { shape: 'single', fields: { instruction: { columns: ['问题'] }, output: { columns: ['回复'] } } };

export function inspection(columns: string[], extra: Partial<SourceInspection> = {}): SourceInspection {
  return {
    file: '/u/t.csv',
    format: 'csv',
    size: 100,
    encoding: 'utf-8',
    columns,
    sampleRows: [{ row: 2, values: Object.fromEntries(columns.map((c) => [c, `${c}-1`])) }],
    suggestion: { mapping: suggested, confidence: 0.9, fieldConfidence: { instruction: 0.9, output: 0.95 }, detectedFormat: 'table' },
    ...extra,
  };
}

export function report(problems: ValidationReport['problems'] = []): ValidationReport {
  return { rows: 10, validRows: 10 - problems.length, blankRows: 0, problems, problemCount: problems.length, exactDuplicates: 0, normalisedDuplicates: 0, duplicatePairs: [], mojibakeRows: [], columns: [] };
}

export function datasetDto(id: number, projectId: number, name: string): DatasetDto {
  return { id, projectId, name, sourceName: `${name}.csv`, sourceSha256: 'x', sourceSize: 1, format: 'csv', readerOptions: {}, shape: 'single', rowCount: 10, skippedCount: 0, splitSeed: 42, valRatio: 0.1, mapping: suggested, createdAt: 't' };
}

export function fakeDatasets() {
  const progress = emitter<ImportProgressEvent>();
  const calls: { method: string; request: unknown }[] = [];
  const datasets: DatasetDto[] = [];
  let cancelled = new Set<string>();
  let gate: Promise<void> | undefined;
  const fake = {
    progress,
    calls,
    datasets,
    /** Holds every import until the returned function is called. */
    holdImports() {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => release();
    },
    inspectAnswer: (req: { options?: { headerRow?: number } }) => inspection(req.options?.headerRow === 2 ? ['title', 'answer'] : ['问题', '回复']),
  };
  const service: DatasetsService = {
    inspect: async (r) => (calls.push({ method: 'inspect', request: r }), fake.inspectAnswer(r)),
    preview: async (r) => (calls.push({ method: 'preview', request: r }), { records: [{ row: 2, record: { kind: 'single', instruction: 'q', output: 'a' }, problems: [] }] }),
    validate: async (r) => (calls.push({ method: 'validate', request: r }), report([{ row: 4, column: '回复', message: 'The answer is empty.' }, { row: 7, column: '回复', message: 'The answer is empty.' }])),
    import: async (r) => {
      calls.push({ method: 'import', request: r });
      progress.emit({ jobId: r.jobId!, phase: 'reading', bytesRead: 50, totalBytes: 100, rows: 5 });
      if (gate) await gate;
      if (cancelled.has(r.jobId!)) {
        progress.emit({ jobId: r.jobId!, phase: 'cancelled', bytesRead: 50, totalBytes: 100, rows: 5 });
        throw new LatheError('cancelled', 'The import was cancelled.');
      }
      const d = datasetDto(datasets.length + 1, r.projectId, r.name ?? 't');
      datasets.push(d);
      return { dataset: d, rows: 8, skipped: 2, blankRows: 0, mapping: suggested, problems: [] };
    },
    importLlamaFactory: async () => ({ imported: [{ entry: 'alpaca_zh', dataset: datasetDto(9, 1, 'alpaca_zh'), rows: 3, skipped: 0 }], skipped: [{ entry: 'hub_only', reason: 'Hugging Face Hub datasets are not downloaded.' }] }),
    cancel: async (jobId) => (cancelled.add(jobId), { cancelled: true }),
    list: async (projectId) => datasets.filter((d) => projectId === undefined || d.projectId === projectId),
    get: async (id) => datasets.find((d) => d.id === id)!,
    rows: async (r) => (calls.push({ method: 'rows', request: r }), { total: 10, matched: r.search || r.filter ? 3 : 10, rows: [] }),
    editRow: async () => {
      throw new LatheError('bad_input', 'The record needs an answer.');
    },
    excludeRow: async (id, idx, excluded) => ({ idx, sourceRow: idx + 2, record: { kind: 'text', text: 'x' }, original: { kind: 'text', text: 'x' }, edited: false, excluded, split: 'train' }),
    setSplit: async (id, seed, valRatio) => {
      const i = datasets.findIndex((d) => d.id === id);
      datasets[i] = { ...datasets[i]!, splitSeed: seed, valRatio };
      return datasets[i]!;
    },
    export: async (r) => ({ file: r.out, rows: 10, datasetInfo: {}, datasetInfoFile: 'dataset_info.json' }),
    remove: async (id) => (datasets.splice(datasets.findIndex((d) => d.id === id), 1), { removed: true }),
    onImportProgress: (cb) => progress.on(cb),
    onChanged: () => () => undefined,
  };
  void cancelled;
  return { ...fake, service, resetCancelled: () => (cancelled = new Set()) };
}

export function runDto(id: number, projectId: number, patch: Partial<RunDto> = {}): RunDto {
  return { id, projectId, name: `run ${id}`, status: 'queued', step: 0, maxSteps: 10, parentRunId: null, error: null, lastLoss: null, lastEvalLoss: null, scores: null, prepared: null, folder: `runs/${id}`, adapterDir: null, resumable: false, createdAt: 't', startedAt: null, finishedAt: null, ...patch };
}

export function point(step: number, loss: number, kind: 'train' | 'eval' = 'train'): MetricPoint {
  return { kind, step, epoch: step / 10, loss, lr: 1e-4, gradNorm: 1, tokensPerS: 100, memoryMb: 10, at: 't' };
}

export function fakeRuns() {
  const status = emitter<RunStatusEvent>();
  const metrics = emitter<RunMetricsEvent>();
  const log = emitter<RunLogEvent>();
  const runs: RunDto[] = [];
  const history = new Map<number, MetricPoint[]>();
  let onMetricsRequest: (() => void | Promise<void>) | undefined;
  // Runs while a create/get reply (a snapshot already taken) is on its way: events emitted here overtake it.
  let onReply: ((run: RunDto) => void) | undefined;
  const set = (id: number, patch: Partial<RunDto>) => {
    const i = runs.findIndex((r) => r.id === id);
    runs[i] = { ...runs[i]!, ...patch };
    return runs[i]!;
  };
  const service: RunsService = {
    create: async (r) => {
      const run = runDto(runs.length + 1, r.projectId, { name: r.name ?? `run ${runs.length + 1}` });
      runs.push(run);
      onReply?.(run);
      return run;
    },
    start: async (id) => set(id, { status: 'queued' }),
    pause: async (id) => set(id, { status: 'paused' }),
    resume: async (id) => set(id, { status: 'running' }),
    stop: async (id) => set(id, { status: 'stopping' }),
    remove: async (id) => {
      if (runs.find((r) => r.id === id)?.status === 'running') throw new LatheError('conflict', 'Stop the run before deleting it.');
      runs.splice(runs.findIndex((r) => r.id === id), 1);
      return { deleted: true };
    },
    list: async (projectId) => runs.filter((r) => projectId === undefined || r.projectId === projectId),
    get: async (id) => {
      const snapshot = { ...runs.find((r) => r.id === id)!, config: {} as never };
      onReply?.(snapshot);
      return snapshot;
    },
    metrics: async (id) => {
      await onMetricsRequest?.();
      return history.get(id) ?? [];
    },
    logs: async () => ({ text: 'line 1\nline 2\n', truncated: false }),
    artifacts: async () => [],
    predictions: async () => ({ total: 0, scores: null, predictions: [] }),
    compare: async (ids) => ({ runs: ids.map((id) => ({ run: runs.find((r) => r.id === id)!, metrics: history.get(id) ?? [] })) }),
    defaults: async () => {
      throw new LatheError('not_found', 'No model folder at /nope.');
    },
    cliCommand: async () => ({ yaml: 'model_name_or_path: m\n', command: 'lathe train --config run.yaml' }),
    fromYaml: async (yaml) => {
      if (!yaml.includes('model_name_or_path')) throw new LatheError('bad_input', 'The YAML names no model_name_or_path.');
      return { config: { model: '/m', datasets: [{ name: 'tickets' }], template: 'qwen', loraRank: 16 } as unknown as RunConfig, name: 'from-yaml', warnings: [{ code: 'runYaml.ignoredKey', params: { key: 'deepspeed' }, message: 'deepspeed is decided by Lathe and was ignored.' }] };
    },
    onStatus: (cb) => status.on(cb),
    onMetrics: (cb) => metrics.on(cb),
    onLog: (cb) => log.on(cb),
  };
  return { service, runs, history, status, metrics, log, set, whileMetricsRequested: (f: () => void | Promise<void>) => (onMetricsRequest = f), whileReplying: (f: (run: RunDto) => void) => (onReply = f) };
}

export function cardDto(path: string): ModelCardDto {
  return {
    path, name: 'tiny', architecture: 'LlamaForCausalLM', modelType: 'llama', layers: 2, hiddenSize: 64, intermediateSize: 128, heads: 4, kvHeads: 2, headDim: 16,
    vocabSize: 512, contextLength: 2048, tieWordEmbeddings: false, parameters: 1_000_000, dtype: 'F32', weightFiles: ['model.safetensors'], weightBytes: 4_000_000,
    hasChatTemplate: true, kind: 'instruct', kindReason: { code: 'modelKind.chatEos', params: { eos: '</s>' }, message: 'its EOS token </s> ends a chat turn and it has a chat template' }, bosToken: '<s>', eosToken: '</s>', padToken: null, tokenizerModel: 'BPE',
    generationEosTokenIds: [2], proposedTemplate: 'llama3', warnings: [], vram: [],
  };
}

/**
 * A preview that "tokenizes" by characters: token i of a record is its i-th character; prompt masked, answer trained.
 * `rows` is the stored dataset every datasetId reads (by idx; excluded rows shown but not counted).
 */
export function fakePreview(rows: readonly { record: NormalisedRecord; excluded?: boolean }[] = []) {
  const calls: { method: string; request: Record<string, unknown> }[] = [];
  const progress = emitter<DatasetProgressEvent>();
  const cancelled = new Set<string>();
  let gate: Promise<void> | undefined;
  const encode = (record: NormalisedRecord, index: number, cutoff: number): PreviewRecordDto => {
    const prompt = record.kind === 'single' ? record.instruction : '';
    const answer = record.kind === 'single' ? record.output : '';
    const text = prompt + answer;
    const n = Math.min(cutoff, text.length);
    const tokens = [...text].slice(0, n);
    return {
      index, ok: true, text, tokens, input_ids: tokens.map((c) => c.charCodeAt(0)), labels: tokens.map((c, i) => (i < prompt.length ? -100 : c.charCodeAt(0))),
      segments: [
        { text: prompt, trained: false, part: 'prompt', turn: 0, start: 0, end: Math.min(n, prompt.length), cut: prompt.length > n },
        { text: answer, trained: true, part: 'response', turn: 0, start: Math.min(n, prompt.length), end: n, cut: text.length > n },
      ],
      tokenCount: n, trainableCount: Math.max(0, n - prompt.length), truncated: text.length > n, fullLength: text.length,
    };
  };
  const service: PreviewService = {
    record: async (r) => {
      calls.push({ method: 'record', request: r as Record<string, unknown> });
      const cutoff = r.options?.cutoffLen ?? 2048;
      if (r.record) return encode(r.record, r.index ?? 0, cutoff);
      const row = rows[r.index ?? 0];
      if (!row) throw new LatheError('not_found', `Dataset ${r.datasetId} has no row ${r.index}.`);
      return { ...encode(row.record, r.index ?? 0, cutoff), ...(row.excluded ? { excluded: true } : {}) };
    },
    dataset: async (r) => {
      calls.push({ method: 'dataset', request: r as Record<string, unknown> });
      const cutoff = r.options?.cutoffLen ?? 2048;
      const source = r.datasetId !== undefined ? rows.map((x, i) => ({ ...x, i })).filter((x) => !x.excluded) : (r.records ?? []).map((record, i) => ({ record, i }));
      const all = source.map((x) => encode(x.record, x.i, cutoff));
      if (r.jobId) progress.emit({ jobId: r.jobId, done: Math.floor(rows.length / 2), total: rows.length });
      if (gate) await gate;
      if (r.jobId && cancelled.has(r.jobId)) throw new LatheError('cancelled', 'Computing the dataset statistics was cancelled.');
      if (r.jobId) progress.emit({ jobId: r.jobId, done: rows.length, total: rows.length });
      const off = r.offset ?? 0;
      const truncated = all.filter((x) => x.truncated).length;
      const longest = [...all].sort((a, b) => b.fullLength - a.fullLength || a.index - b.index).slice(0, 10).map((x) => ({ index: x.index, fullLength: x.fullLength, tokenCount: x.tokenCount }));
      return {
        template: r.template ?? 'llama3', warnings: r.template === 'qwen' ? [{ code: 'template.ownTemplateDiffers', params: { own: 'llama3', template: 'qwen' }, message: 'The model\'s own chat template looks like "llama3", not "qwen".' }, { code: 'encoder.test', params: {}, message: 'The preview says more.' }] as Notice[] : [], records: all.slice(off, off + (r.rows ?? 10)),
        stats: { records: all.length, skipped: 0, totalTokens: 0, trainableTokens: 0, truncated, truncatedShare: all.length ? truncated / all.length : 0, cutoffLen: cutoff, meanLength: 0, p50Length: 0, p95Length: 0, maxLength: Math.max(0, ...all.map((x) => x.tokenCount)), maxFullLength: Math.max(0, ...all.map((x) => x.fullLength)), histogram: { edges: [0, 10, 20], counts: [1, 1] }, longest, batchSize: 1, gradientAccumulation: 1, stepsPerEpoch: all.length },
      };
    },
    cancel: async (jobId) => (calls.push({ method: 'cancel', request: { jobId } }), cancelled.add(jobId), { cancelled: true }),
    onDatasetProgress: (cb) => progress.on(cb),
  };
  return {
    service,
    calls,
    progress,
    /** Holds every dataset call (after its first progress event) until the returned function is called. */
    holdStats() {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

export function fakeExports() {
  const progress = emitter<ExportProgressEvent>();
  const finished = emitter<ExportFinishedEvent>();
  const started: StartExportRequest[] = [];
  const kept: ExportDto[] = [];
  let n = 0;
  const job = (r: StartExportRequest, jobId: string, patch: Partial<ExportJobDto> = {}): ExportJobDto => ({ jobId, status: 'running', format: r.format, out: r.out ?? `/ws/exports/${r.format}`, fraction: 0, message: '', result: null, error: null, ...patch });
  const service: ExportsService = {
    start: async (r) => {
      started.push(r);
      const id = `job-${++n}`;
      // The job runs "in the background": progress, then finished, after the start answer.
      setTimeout(() => {
        progress.emit({ jobId: id, phase: 'writing', fraction: 0.5, message: 'Writing' });
        const result = { format: r.format, out: `/ws/exports/${r.format}`, files: [{ path: 'adapter_model.safetensors', bytes: 10 }], verification: [{ check: 'reload', passed: true, detail: 'ok' }] };
        kept.push({ id: n, projectId: 1, runId: r.runId ?? null, format: r.format, path: result.out, bytes: 10, verification: result.verification, createdAt: 't' });
        finished.emit({ jobId: id, job: job(r, id, { status: 'completed', fraction: 1, result }) });
      }, 5);
      return job(r, id);
    },
    get: async (jobId) => job({ format: 'peft', runId: 1 } as StartExportRequest, jobId),
    cancel: async (jobId) => job({ format: 'peft', runId: 1 } as StartExportRequest, jobId, { status: 'cancelled' }),
    list: async () => [...kept],
    remove: async (id) => (kept.splice(kept.findIndex((e) => e.id === id), 1), { removed: true }),
    onProgress: (cb) => progress.on(cb),
    onFinished: (cb) => finished.on(cb),
  };
  return { service, started, kept };
}

export function testStore(over: Partial<StoreDeps> = {}) {
  return createLatheStore({
    app: { info: async () => ({ name: 'Lathe', version: '0', transport: 'web', home: '/h', platform: 'linux', schemaVersion: 1 }) },
    projects: { list: async () => [], create: async () => ({}) as never, rename: async () => ({}) as never, remove: async () => ({}), onChanged: () => () => undefined },
    datasets: fakeDatasets().service,
    upload: async (file) => ({ path: `/ws/tmp/uploads/x/${file.name}`, bytes: file.size }),
    runs: fakeRuns().service,
    models: { inspect: async (r) => cardDto(r.path), estimateVram: async () => ({}) as never, defaultModel: async () => cardDto('/app/data/models/lathe-tiny-llama') },
    templates: { list: async () => [{ name: 'llama3', source: 'builtin', description: '' }, { name: 'qwen', source: 'builtin', description: '' }], get: async () => ({}) as never, propose: async (_p, t) => ({ template: t ?? 'llama3', warnings: t === 'qwen' ? [{ code: 'template.ownTemplateDiffers', params: { own: 'llama3', template: 'qwen' }, message: 'The model\'s own chat template looks like "llama3", not "qwen".' }] : [] }) },
    preview: fakePreview().service,
    exports: fakeExports().service,
    language: 'en',
    rememberLanguage: () => undefined,
    ...over,
  });
}
