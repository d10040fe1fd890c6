// Tokenizes a whole dataset split into one .ltok file with worker threads, reporting progress, and caches the
// result by a content hash of (records, template, tokenizer, options): a repeat run copies the cached bytes.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LatheError } from '../../preload/contract/errors.js';
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import type { EncoderOptions } from '../templates/record-encoder.js';
import type { Tokenizer } from './tokenizer.js';
import { LTOK_VERSION, writeLtokFile } from './ltok-format.js';
import { encodeChunk, type ChunkResult, type ChunkSetup } from './tokenize-chunk.js';

export interface TokenizeDatasetJob {
  readonly records: readonly NormalisedRecord[];
  readonly tokenizer: Tokenizer;
  readonly tokenizerSha256: string;
  readonly setup: ChunkSetup;
  readonly outFile: string;
  /** Folder of cached .ltok files keyed by content hash; none means no cache. */
  readonly cacheDir?: string | undefined;
  /** Worker threads; 0 encodes in this thread. Default: CPUs − 1, at most 8. */
  readonly workers?: number | undefined;
  readonly chunkSize?: number | undefined;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface TokenizeDatasetResult {
  readonly outFile: string;
  readonly cacheKey: string;
  readonly cached: boolean;
  readonly records: number;
  readonly skipped: readonly { readonly index: number; readonly reason: string }[];
  readonly tokens: number;
  readonly trainableTokens: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly workers: number;
}

/** Content hash of everything that decides the file's bytes. */
export function tokenizeCacheKey(records: readonly NormalisedRecord[], tokenizerSha256: string, setup: ChunkSetup, options: EncoderOptions): string {
  const h = createHash('sha256');
  h.update(`ltok-v${LTOK_VERSION}\0${tokenizerSha256}\0${JSON.stringify(setup.template)}\0${JSON.stringify(setup.special)}\0${JSON.stringify(options)}\0`);
  for (const r of records) h.update(JSON.stringify(r)).update('\n');
  return h.digest('hex');
}

/** The compiled worker sits beside this module; when running from TypeScript sources there is none. */
function workerFile(): string | null {
  const p = join(dirname(fileURLToPath(import.meta.url)), 'tokenize-worker.js');
  return existsSync(p) ? p : null;
}

async function runWorkers(job: TokenizeDatasetJob, chunks: NormalisedRecord[][], nWorkers: number, file: string): Promise<ChunkResult[]> {
  const results = new Array<ChunkResult>(chunks.length);
  let next = 0;
  let done = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new LatheError('cancelled', 'Tokenization was cancelled.'));
      job.signal?.addEventListener('abort', onAbort, { once: true });
      const feed = (w: Worker) => {
        if (next < chunks.length) {
          const chunk = next++;
          w.postMessage({ chunk, records: chunks[chunk] });
        }
      };
      for (let i = 0; i < nWorkers; i++) {
        const w = new Worker(file, { workerData: job.setup });
        workers.push(w);
        w.on('message', (m: { chunk: number; result?: ChunkResult; error?: { code: string; message: string } }) => {
          if (m.error) return reject(new LatheError(m.error.code as 'internal', m.error.message));
          results[m.chunk] = m.result!;
          done++;
          job.onProgress?.(Math.min(done * (job.chunkSize ?? 2000), job.records.length), job.records.length);
          if (done === chunks.length) resolve();
          else feed(w);
        });
        w.on('error', reject);
        feed(w);
      }
      if (chunks.length === 0) resolve();
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

export async function tokenizeDataset(job: TokenizeDatasetJob): Promise<TokenizeDatasetResult> {
  const { records, setup } = job;
  if (setup.template.kind === 'spec' && setup.template.spec.efficientEos && setup.options.trainOnPrompt) {
    throw new LatheError('bad_input', 'This template does not support train_on_prompt (efficient EOS).');
  }
  const key = tokenizeCacheKey(records, job.tokenizerSha256, setup, setup.options);
  const cached = job.cacheDir ? join(job.cacheDir, `${key}.ltok`) : null;
  if (cached && existsSync(cached) && existsSync(`${cached}.json`)) {
    // The sidecar holds the summary of the run that wrote the cached bytes.
    const prev = JSON.parse(readFileSync(`${cached}.json`, 'utf8')) as TokenizeDatasetResult;
    mkdirSync(dirname(job.outFile), { recursive: true });
    copyFileSync(cached, job.outFile);
    job.onProgress?.(records.length, records.length);
    return { ...prev, outFile: job.outFile, cached: true };
  }
  const chunkSize = job.chunkSize ?? 2000;
  const chunks: NormalisedRecord[][] = [];
  for (let i = 0; i < records.length; i += chunkSize) chunks.push(records.slice(i, i + chunkSize) as NormalisedRecord[]);

  const file = workerFile();
  const wanted = job.workers ?? Math.min(Math.max(availableParallelism() - 1, 1), 8);
  // One worker only adds copying: below two, encode in this thread.
  const nWorkers = file && chunks.length > 1 && wanted >= 2 ? Math.min(wanted, chunks.length) : 0;
  let results: ChunkResult[];
  if (nWorkers > 0 && file) results = await runWorkers(job, chunks, nWorkers, file);
  else {
    results = [];
    for (const c of chunks) {
      if (job.signal?.aborted) throw new LatheError('cancelled', 'Tokenization was cancelled.');
      results.push(encodeChunk(job.tokenizer, setup, c));
      job.onProgress?.(Math.min(results.length * chunkSize, records.length), records.length);
      await new Promise((r) => setImmediate(r));
    }
  }
  const skipped = results.flatMap((r, c) => r.skipped.map((s) => ({ index: c * chunkSize + s.index, reason: s.reason })));
  const tokens = results.reduce((a, r) => a + r.ids.length, 0);
  const trainableTokens = results.reduce((a, r) => a + r.trainable, 0);
  const written = results.reduce((a, r) => a + r.lengths.length, 0);

  const summary = { cacheKey: key, records: written, skipped, tokens, trainableTokens, workers: nWorkers };
  mkdirSync(dirname(job.outFile), { recursive: true });
  const tmp = `${job.outFile}.tmp-${process.pid}`;
  try {
    const w = writeLtokFile(tmp, results, job.tokenizer.vocabSize);
    renameSync(tmp, job.outFile);
    const result = { ...summary, outFile: job.outFile, cached: false, bytes: w.bytes, sha256: w.sha256 };
    if (cached) {
      mkdirSync(dirname(cached), { recursive: true });
      copyFileSync(job.outFile, cached);
      writeFileSync(`${cached}.json`, JSON.stringify(result));
    }
    return result;
  } finally {
    rmSync(tmp, { force: true });
  }
}
