import fs, { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledWorker } from '../../test/helpers/bundled-worker.js';
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import { DatasetsStore } from '../db/datasets-store.js';
import { ProjectsStore } from '../db/projects-store.js';
import { DEFAULT_ENCODER_OPTIONS } from '../templates/record-encoder.js';
import { openWorkspace, type Workspace } from '../workspace/workspace.js';
import { openEncodingSession } from './encoding-session.js';
import { MeasureCache, measureSource, setupKeyOf } from './measure-job.js';
import { PreviewService, previewDepsFor } from './preview-service.js';

const MODEL = 'data/models/lathe-tiny-llama';
const N = 4500;
let workerFile: string;
let ws: Workspace;
let id: number;

function rec(i: number): NormalisedRecord {
  if (i % 1000 === 500) return { kind: 'conversation', messages: [{ role: 'user', content: 'no answer' }] };
  return { kind: 'single', instruction: `Question ${i}`, output: `Answer ${'word '.repeat(i % 97)}${i === 3333 ? 'long '.repeat(300) : ''}` };
}

beforeAll(async () => {
  workerFile = await bundledWorker('main/preview/measure-worker.ts');
  ws = openWorkspace(mkdtempSync(join(tmpdir(), 'lathe-stats-')));
  const project = new ProjectsStore(ws.db).create('p');
  const store = new DatasetsStore(ws.db);
  const w = store.beginImport({ projectId: project.id, name: 'd', sourceName: 'd.jsonl', sourceSha256: '', sourceSize: 1, format: 'jsonl', readerOptions: {}, shape: 'single' });
  for (let i = 0; i < N; i++) w.add(i, JSON.stringify(rec(i)), `h${i}`);
  id = w.commit(0, 'single', 'sha', { fields: {} } as never).id;
  store.exclude(id, 4000, true);
}, 60_000);

afterAll(() => {
  ws.db.close();
});

/** The workspace's deps without the disk cache: these tests count what a pass reads and tokenizes. */
const memoryDeps = (...args: Parameters<typeof previewDepsFor>) => ({ ...previewDepsFor(...args), statsCacheDir: undefined });

const options = { cutoffLen: 64, trainOnPrompt: false, maskHistory: false, enableThinking: true };

describe('dataset statistics of a stored dataset', () => {
  it('covers every included row in worker threads, with progress, and finds the longest row by its idx', async () => {
    const progress: { done: number; total: number }[] = [];
    const svc = new PreviewService({ ...memoryDeps(ws, { onDatasetProgress: (p) => progress.push(p) }), measureWorkerFile: workerFile, measureWorkers: 2 });
    const res = await svc.dataset({ modelPath: MODEL, datasetId: id, rows: 0, options, jobId: 'j1' });
    expect(res.records).toEqual([]);
    // 4,500 rows, one excluded, four without an answer (skipped).
    expect(res.stats.records + res.stats.skipped).toBe(N - 1);
    expect(res.stats.skipped).toBe(4);
    expect(res.stats.histogram.counts.reduce((a, b) => a + b, 0)).toBe(res.stats.records);
    expect(res.stats.longest[0]!.index).toBe(3333);
    expect(res.stats.longest[0]!.tokenCount).toBe(64);
    expect(res.stats.truncated).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual({ jobId: 'j1', done: N, total: N });
    expect(progress.every((p) => p.jobId === 'j1')).toBe(true);

    // The same numbers with one worker and record by record through the single-record preview.
    const inThread = new PreviewService({ ...memoryDeps(ws), measureWorkerFile: workerFile, measureWorkers: 1 });
    const again = await inThread.dataset({ modelPath: MODEL, datasetId: id, rows: 0, options });
    expect(again.stats).toEqual(res.stats);
    const longest = await svc.record({ modelPath: MODEL, datasetId: id, index: 3333, options });
    expect(longest.fullLength).toBe(res.stats.longest[0]!.fullLength);
    expect(longest.truncated).toBe(true);
    expect(longest.excluded).toBeUndefined();
    expect((await svc.record({ modelPath: MODEL, datasetId: id, index: 4000, options })).excluded).toBe(true);
  }, 60_000);

  it('shows rows from an idx on and counts one split', async () => {
    const svc = new PreviewService({ ...memoryDeps(ws), measureWorkerFile: workerFile });
    const res = await svc.dataset({ modelPath: MODEL, datasetId: id, offset: 3999, rows: 2, options });
    expect(res.records.map((r) => r.index)).toEqual([3999, 4001]);
    new DatasetsStore(ws.db).setSplit(id, 7, 0.1);
    const train = await svc.dataset({ modelPath: MODEL, datasetId: id, split: 'train', rows: 0, options });
    const val = await svc.dataset({ modelPath: MODEL, datasetId: id, split: 'validation', rows: 0, options });
    expect(train.stats.records + train.stats.skipped + val.stats.records + val.stats.skipped).toBe(N - 1);
    expect(val.stats.records + val.stats.skipped).toBe(Math.round((N - 1) * 0.1));
    new DatasetsStore(ws.db).setSplit(id, 7, 0);
  }, 60_000);

  it('is cancelled by its job id', async () => {
    let svc!: PreviewService;
    svc = new PreviewService({
      ...memoryDeps(ws, { onDatasetProgress: () => void svc.cancel({ jobId: 'stop' }) }),
      measureWorkerFile: workerFile,
      measureWorkers: 1,
    });
    await expect(svc.dataset({ modelPath: MODEL, datasetId: id, rows: 0, options, jobId: 'stop' })).rejects.toMatchObject({ code: 'cancelled' });
    expect(await svc.cancel({ jobId: 'stop' })).toEqual({ cancelled: false });
    // The id is free again once the job ended.
    const res = await new PreviewService({ ...memoryDeps(ws), measureWorkerFile: workerFile }).dataset({ modelPath: MODEL, datasetId: id, rows: 0, options: { ...options, cutoffLen: 4096 }, jobId: 'stop' });
    expect(res.stats.truncated).toBe(0);
  }, 60_000);

  it('reuses the last pass while the database is unchanged: a new cutoff reads no row', async () => {
    const stamps: string[] = [];
    const deps = memoryDeps(ws);
    const passes: { from: string; workers: number }[] = [];
    const svc = new PreviewService({ ...deps, measureWorkerFile: workerFile, onMeasured: (p) => passes.push(p), dbStamp: () => (stamps.push(deps.dbStamp!()), stamps.at(-1)!) });
    const a = await svc.dataset({ modelPath: MODEL, datasetId: id, rows: 0, options });
    const store = new DatasetsStore(ws.db);
    try {
      const b = await svc.dataset({ modelPath: MODEL, datasetId: id, rows: 0, options: { ...options, cutoffLen: 32 } });
      // Reused: no worker started, so no row read.
      expect(passes.map((p) => [p.from, p.workers])).toEqual([['rows', passes[0]!.workers], ['memory', 0]]);
      expect(passes[0]!.workers).toBeGreaterThan(0);
      expect(b.stats.records).toBe(a.stats.records);
      expect(b.stats.truncated).toBeGreaterThan(a.stats.truncated);
      expect(stamps[0]).toBe(stamps[1]);
      // Any write changes the stamp: the next request reads the rows again (and sees the edit).
      store.edit(id, 10, { kind: 'single', instruction: 'now much longer '.repeat(20), output: 'x' });
      const c = await svc.dataset({ modelPath: MODEL, datasetId: id, rows: 0, options: { ...options, cutoffLen: 32 } });
      expect(passes[2]).toMatchObject({ from: 'rows' });
      expect(passes[2]!.workers).toBeGreaterThan(0);
      expect(stamps[2]).not.toBe(stamps[1]);
      expect(c.stats.totalTokens).not.toBe(b.stats.totalTokens);
    } finally {
      store.edit(id, 10, null);
    }
  }, 60_000);

  it('keeps its passes on disk: a restarted app reads no row; an edit or a torn cache file makes it read again', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'lathe-stats-cache-'));
    const passes: { from: string; cachedChunks: number; workers: number }[] = [];
    const start = () => new PreviewService({ ...previewDepsFor(ws), statsCacheDir: cacheDir, measureWorkerFile: workerFile, measureWorkers: 1, onMeasured: (p) => passes.push(p) });
    const first = start();
    const a = await first.dataset({ modelPath: MODEL, datasetId: id, rows: 0, options });
    await first.flushStatsCache();
    // A new service is a restarted app: nothing in memory.
    const b = await start().dataset({ modelPath: MODEL, datasetId: id, rows: 0, options: { ...options, cutoffLen: 32 } });
    expect(passes.map((p) => [p.from, p.workers])).toEqual([['rows', 1], ['disk', 0]]);
    expect(b.stats.records).toBe(a.stats.records);
    expect(b.stats.truncated).toBeGreaterThan(a.stats.truncated);
    expect((await start().dataset({ modelPath: MODEL, datasetId: id, rows: 0, options })).stats).toEqual(a.stats);

    // An edit changes the dataset's revision: its rows are read again, and only the edited chunk is tokenized.
    const store = new DatasetsStore(ws.db);
    store.edit(id, 10, { kind: 'single', instruction: 'now much longer '.repeat(20), output: 'x' });
    try {
      const again = start();
      const c = await again.dataset({ modelPath: MODEL, datasetId: id, rows: 0, options });
      expect(passes.at(-1)).toMatchObject({ from: 'rows', cachedChunks: 2 });
      expect(c.stats.totalTokens).toBeGreaterThan(a.stats.totalTokens);
      await again.flushStatsCache();
      // A cache file cut short (a write killed without the rename's protection) is ignored: recomputed, same numbers.
      for (const f of fs.readdirSync(cacheDir).filter((n) => n.endsWith('.tc'))) {
        const p = join(cacheDir, f);
        fs.truncateSync(p, fs.statSync(p).size - 8);
      }
      const d = await start().dataset({ modelPath: MODEL, datasetId: id, rows: 0, options });
      expect(passes.at(-1)).toMatchObject({ from: 'rows', cachedChunks: 0 });
      expect(d.stats).toEqual(c.stats);
    } finally {
      store.edit(id, 10, null);
    }
  }, 60_000);

  it('tokenizes only the chunks whose rows changed on a repeat', async () => {
    const s = await openEncodingSession(MODEL, undefined);
    const setup = { tokenizerPath: s.tokenizerPath, template: s.template, special: s.special, options: { ...DEFAULT_ENCODER_OPTIONS, cutoffLen: 64 } };
    const cache = new MeasureCache();
    const job = () => ({ source: { total: N, stored: { dbFile: ws.paths.dbFile, datasetId: id }, chunkRows: 1000 }, setup, setupKey: setupKeyOf(s.tokenizerSha256, setup), encoder: s.encoder, cache, workerFile, workers: 2 });
    const first = await measureSource(job());
    expect(first.cachedChunks).toBe(0);
    expect(first.workers).toBe(2);
    expect(first.chunks.length).toBe(5);
    new DatasetsStore(ws.db).edit(id, 1234, { kind: 'single', instruction: 'edited', output: 'x' });
    const second = await measureSource(job());
    expect(second.cachedChunks).toBe(4);
    expect(second.chunks[1]!.tgt[234]).toBeLessThan(first.chunks[1]!.tgt[234]!);
    expect(second.chunks[0]).toBe(first.chunks[0]);
    // Another cutoff or train_on_prompt needs no tokenizing; mask_history changes the turns, so it does.
    const key = (o: Partial<typeof setup.options>) => setupKeyOf(s.tokenizerSha256, { ...setup, options: { ...setup.options, ...o } });
    const cached = await measureSource({ ...job(), setupKey: key({ cutoffLen: 4096, trainOnPrompt: true }) });
    expect(cached.cachedChunks).toBe(5);
    expect((await measureSource({ ...job(), setupKey: key({ maskHistory: true }) })).cachedChunks).toBe(0);
  }, 60_000);
});
