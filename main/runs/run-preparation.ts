// "preparing": turns a run's datasets into the engine's .ltok files (train, validation) and the prompts the
// post-training evaluation generates from. Tokenizing is main/tokenizer's tokenizeDataset (worker threads, cached
// by content hash); this module only gathers the rows, applies the split and records what was prepared.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import { errorText, LatheError } from '../../preload/contract/errors.js';
import type { RunConfig, RunDatasetRef } from '../../preload/contract/runs.js';
import { hashHex } from '../datasets/content-hash.js';
import { validationSet } from '../datasets/split.js';
import { DatasetsStore } from '../db/datasets-store.js';
import { TemplatesStore } from '../db/templates-store.js';
import { readModelFolder, tokenContent } from '../models/model-folder.js';
import { TemplateEncoder, type EncoderOptions } from '../templates/record-encoder.js';
import { resolveTemplate } from '../templates/template-registry.js';
import { tokenizeDataset } from '../tokenizer/tokenize-dataset.js';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import type { Workspace } from '../workspace/workspace.js';
import type { RunFolder } from './run-folder.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const RUN_PREPARATION_ERROR_CODES = ['err.run.noDataset', 'err.run.noDataFile', 'err.run.noTrainRows', 'err.run.noTokenizer'] as const;
const errText = errorText(RUN_PREPARATION_ERROR_CODES);

export interface PreparedData {
  readonly trainFile: string;
  readonly evalFile: string | null;
  readonly trainRecords: number;
  readonly evalRecords: number;
  readonly skipped: number;
  readonly tokens: number;
  readonly cached: boolean;
  /** SHA-256 over the content of every training row, in order: two runs on the same rows share it. */
  readonly rowsFingerprint: string;
  readonly datasetIds: readonly number[];
  readonly evalPrompts: number;
}

export interface EvalPrompt {
  readonly row: number;
  readonly prompt: string;
  readonly promptIds: readonly number[];
  readonly reference: string;
}

/** Imports a data file as a workspace dataset and returns its id (the datasets domain's job; injected). */
export type DatasetImporter = (projectId: number, file: string, signal?: AbortSignal) => Promise<number>;

interface Rows {
  train: { row: number; record: NormalisedRecord }[];
  validation: { row: number; record: NormalisedRecord }[];
}

async function datasetIdOf(ref: RunDatasetRef, projectId: number, store: DatasetsStore, importer: DatasetImporter | undefined, signal?: AbortSignal): Promise<number> {
  if ('id' in ref) return store.get(ref.id).id;
  if ('name' in ref) {
    const d = store.findByName(projectId, ref.name);
    if (!d) throw new LatheError('not_found', `The project has no dataset named “${ref.name}”. Import it first, or name a data file.`, { dataset: ref.name }, errText('err.run.noDataset', { name: ref.name }));
    return d.id;
  }
  if (!fs.existsSync(ref.file)) throw new LatheError('not_found', `Data file ${ref.file} does not exist.`, { file: ref.file }, errText('err.run.noDataFile', { file: ref.file }));
  if (!importer) throw new LatheError('unsupported', `Importing ${ref.file} on the fly needs the datasets service, which this process does not have. Import it with the app first.`);
  return importer(projectId, path.resolve(ref.file), signal);
}

/** Reads a dataset's rows in order, yielding to the event loop every few thousand so the window never freezes. */
async function gatherRows(store: DatasetsStore, datasetId: number, valSize: number | undefined, seed: number): Promise<Rows> {
  const d = store.get(datasetId);
  const included = store.includedIdxs(datasetId);
  const validation = valSize !== undefined ? validationSet(included, seed, valSize) : validationSet(included, d.splitSeed, d.valRatio);
  const out: Rows = { train: [], validation: [] };
  let n = 0;
  for (const r of store.iterateRows(datasetId)) {
    if (++n % 5000 === 0) await new Promise((resolve) => setImmediate(resolve));
    if (r.excluded) continue;
    const record = JSON.parse(r.edited_record ?? r.record) as NormalisedRecord;
    (validation.has(r.idx) ? out.validation : out.train).push({ row: r.source_row, record });
  }
  return out;
}

function lastAnswer(r: NormalisedRecord): string | null {
  if (r.kind === 'single') return r.output;
  if (r.kind === 'conversation') {
    const last = r.messages[r.messages.length - 1];
    return last && last.role === 'assistant' ? last.content : null;
  }
  return null;
}

export async function prepareRunData(o: {
  readonly workspace: Workspace;
  readonly projectId: number;
  readonly config: RunConfig;
  readonly folder: RunFolder;
  readonly importer?: DatasetImporter | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly log: (line: string) => void;
}): Promise<PreparedData> {
  const { config, folder } = o;
  await fs.promises.mkdir(folder.data, { recursive: true });
  // A prepared .ltok named directly: used as is (no validation split, no generation prompts).
  const ltoks = config.datasets.filter((d): d is { file: string } => 'file' in d && d.file.endsWith('.ltok'));
  if (ltoks.length > 0) {
    if (ltoks.length !== config.datasets.length || ltoks.length > 1) throw new LatheError('bad_input', 'A prepared .ltok file must be the run\'s only dataset.');
    const src = path.resolve(ltoks[0]!.file);
    if (!fs.existsSync(src)) throw new LatheError('not_found', `Data file ${src} does not exist.`, { file: src }, errText('err.run.noDataFile', { file: src }));
    await fs.promises.copyFile(src, folder.trainLtok);
    const sha = createHash('sha256').update(await fs.promises.readFile(src)).digest('hex');
    o.log(`prepared: using ${src} as the training data`);
    return { trainFile: folder.trainLtok, evalFile: null, trainRecords: -1, evalRecords: 0, skipped: 0, tokens: -1, cached: true, rowsFingerprint: sha, datasetIds: [], evalPrompts: 0 };
  }

  const store = new DatasetsStore(o.workspace.db);
  const rows: Rows = { train: [], validation: [] };
  const datasetIds: number[] = [];
  try {
    for (const ref of config.datasets) {
      const id = await datasetIdOf(ref, o.projectId, store, o.importer, o.signal);
      datasetIds.push(id);
      const r = await gatherRows(store, id, config.valSize, config.seed);
      rows.train.push(...r.train);
      rows.validation.push(...r.validation);
    }
  } finally {
    store.close();
  }
  if (config.maxSamples !== undefined) rows.train = rows.train.slice(0, config.maxSamples);
  if (rows.train.length === 0) throw new LatheError('bad_input', 'The run has no training rows: every row is excluded or in the validation split.', undefined, errText('err.run.noTrainRows'));

  const model = await readModelFolder(config.model);
  const tokenizerPath = path.join(model.path, 'tokenizer.json');
  const tokenizerBytes = await fs.promises.readFile(tokenizerPath).catch(() => {
    throw new LatheError('not_found', `The model folder ${model.path} has no tokenizer.json.`, undefined, errText('err.run.noTokenizer', { path: model.path }));
  });
  const tokenizer = new Tokenizer(JSON.parse(tokenizerBytes.toString('utf8')));
  const tokenizerSha256 = createHash('sha256').update(tokenizerBytes).digest('hex');
  const template = resolveTemplate(config.template, model.chatTemplate, new TemplatesStore(o.workspace.db).list());
  const special = { bosToken: tokenContent(model.tokenizerConfig.bos_token), eosToken: tokenContent(model.tokenizerConfig.eos_token) };
  const options: EncoderOptions = { cutoffLen: config.cutoffLen, trainOnPrompt: config.trainOnPrompt, maskHistory: config.maskHistory, enableThinking: true };
  const setup = { tokenizerPath, template, special, options };
  const cacheDir = path.join(o.workspace.paths.cache, 'ltok');

  const fingerprint = createHash('sha256');
  const rowHashes: string[] = [];
  for (const r of rows.train) {
    const json = JSON.stringify(r.record);
    fingerprint.update(json).update('\n');
    rowHashes.push(hashHex(json));
  }
  // Per-row hashes: a retrain counts the rows its parent never saw.
  await fs.promises.writeFile(folder.trainRows, rowHashes.join('\n') + '\n');

  let lastReport = 0;
  const progress = (what: string) => (done: number, total: number) => {
    if (Date.now() - lastReport > 1000 || done === total) {
      lastReport = Date.now();
      o.log(`preparing ${what}: ${done}/${total} records`);
    }
  };
  const train = await tokenizeDataset({ records: rows.train.map((r) => r.record), tokenizer, tokenizerSha256, setup, outFile: folder.trainLtok, cacheDir, onProgress: progress('train'), signal: o.signal });
  o.log(`prepared train: ${train.records} records, ${train.tokens} tokens${train.cached ? ' (cached)' : ''}${train.skipped.length ? `, ${train.skipped.length} skipped` : ''}`);
  let evalFile: string | null = null;
  let evalRecords = 0;
  let skipped = train.skipped.length;
  if (rows.validation.length > 0) {
    const ev = await tokenizeDataset({ records: rows.validation.map((r) => r.record), tokenizer, tokenizerSha256, setup, outFile: folder.evalLtok, cacheDir, onProgress: progress('validation'), signal: o.signal });
    o.log(`prepared validation: ${ev.records} records, ${ev.tokens} tokens${ev.cached ? ' (cached)' : ''}`);
    if (ev.records > 0) evalFile = folder.evalLtok;
    evalRecords = ev.records;
    skipped += ev.skipped.length;
  }

  // Generation prompts: each validation row's conversation up to its last answer, rendered by the same template.
  const encoder = new TemplateEncoder(tokenizer, template, special);
  const prompts: EvalPrompt[] = [];
  for (const r of rows.validation.slice(0, config.maxPredictSamples)) {
    const reference = lastAnswer(r.record);
    if (reference === null) continue;
    let enc;
    try {
      enc = encoder.encode(r.record, { ...options, trainOnPrompt: false });
    } catch {
      continue;
    }
    if (!enc.ok) continue;
    const lastTurn = Math.max(...enc.segments.map((s) => s.turn));
    const firstAnswer = enc.segments.find((s) => s.turn === lastTurn && s.part === 'response');
    if (!firstAnswer || firstAnswer.start === 0) continue;
    const promptIds = enc.inputIds.slice(0, firstAnswer.start);
    prompts.push({ row: r.row, prompt: tokenizer.decode(promptIds), promptIds, reference });
  }
  await fs.promises.writeFile(folder.evalPrompts, prompts.map((p) => JSON.stringify(p)).join('\n') + (prompts.length ? '\n' : ''));
  return {
    trainFile: folder.trainLtok,
    evalFile,
    trainRecords: train.records,
    evalRecords,
    skipped,
    tokens: train.tokens,
    cached: train.cached,
    rowsFingerprint: fingerprint.digest('hex'),
    datasetIds,
    evalPrompts: prompts.length,
  };
}

/** Training rows of `folder` whose content is not among `parent`'s training rows (continuous retraining). */
export async function countNewRows(folder: RunFolder, parent: RunFolder): Promise<number | null> {
  try {
    const mine = (await fs.promises.readFile(folder.trainRows, 'utf8')).split('\n').filter(Boolean);
    const theirs = new Set((await fs.promises.readFile(parent.trainRows, 'utf8')).split('\n').filter(Boolean));
    return mine.filter((h) => !theirs.has(h)).length;
  } catch {
    return null;
  }
}

export async function readEvalPrompts(file: string): Promise<EvalPrompt[]> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EvalPrompt);
}
