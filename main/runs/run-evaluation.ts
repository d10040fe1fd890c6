// After training: generate an answer for each validation prompt with the engine (greedy unless the run samples),
// decode it, and score predictions against references (BLEU-4, ROUGE-1/2/L). Writes predictions.jsonl; the manager
// stores the scores. Does not tokenize prompts (preparation already did) nor compute scores itself.
import fs from 'node:fs';
import path from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';
import type { PredictionDto, RunConfig, RunScores } from '../../preload/contract/runs.js';
import { engineFailure } from '../engine/engine-exit.js';
import { EngineProcess, type EngineEvent } from '../engine/engine-process.js';
import { scoreAll } from '../evaluation/similarity.js';
import { readModelFolder } from '../models/model-folder.js';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import { engineDevice } from './engine-config.js';
import { writeFileAtomic, type RunFolder } from './run-folder.js';
import { readEvalPrompts } from './run-preparation.js';

function ids(v: number | readonly number[] | undefined): number[] {
  return v === undefined ? [] : typeof v === 'number' ? [v] : [...v];
}

export async function evaluateRun(o: {
  readonly binary: string;
  readonly config: RunConfig;
  readonly folder: RunFolder;
  readonly adapterDir: string;
  readonly log: (line: string, source?: 'event' | 'stdout' | 'stderr') => void;
  readonly onEngine?: (p: EngineProcess | null) => void;
  readonly signal?: AbortSignal;
}): Promise<RunScores | null> {
  const prompts = await readEvalPrompts(o.folder.evalPrompts);
  if (prompts.length === 0) {
    o.log('evaluation: no validation prompts; generation skipped');
    return null;
  }
  const model = await readModelFolder(o.config.model);
  const tokenizer = await Tokenizer.fromFile(path.join(model.path, 'tokenizer.json'));
  const stop = new Set<number>(ids(model.generationConfig.eos_token_id));
  const eos = typeof model.tokenizerConfig.eos_token === 'string' ? model.tokenizerConfig.eos_token : model.tokenizerConfig.eos_token?.content;
  const eosId = eos ? tokenizer.tokenToId(eos) : undefined;
  if (eosId !== undefined) stop.add(eosId);
  const engineConfig = {
    mode: 'generate',
    model_dir: path.resolve(o.config.model),
    adapter_dir: o.adapterDir,
    device: engineDevice(o.config.device),
    seed: o.config.seed,
    max_new_tokens: o.config.maxNewTokens,
    do_sample: o.config.doSample,
    temperature: o.config.temperature,
    stop_tokens: [...stop],
  };
  await writeFileAtomic(o.folder.generateConfig, JSON.stringify(engineConfig, null, 2));
  o.log(`evaluation: generating answers for ${prompts.length} validation rows`);
  const results = new Map<number, number[]>();
  let failed: string | null = null;
  const proc = EngineProcess.start({
    binary: o.binary,
    configPath: o.folder.generateConfig,
    cwd: o.folder.dir,
    onLog: (line, source) => {
      if (source !== 'event' || !line.includes('"event":"token"')) o.log(line, source);
    },
    onEvent: (e: EngineEvent) => {
      if (e.event === 'generation' && typeof e.id === 'number' && Array.isArray(e.tokens)) {
        results.set(e.id, e.tokens as number[]);
        if (results.size === prompts.length) proc.endInput();
      } else if (e.event === 'error' && typeof e.message === 'string') failed = e.message;
    },
  });
  o.onEngine?.(proc);
  const onAbort = () => proc.send('stop');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  prompts.forEach((p, i) => proc.send({ cmd: 'generate', id: i, prompt_tokens: p.promptIds }));
  const end = await proc.exited;
  o.signal?.removeEventListener('abort', onAbort);
  o.onEngine?.(null);
  const err = engineFailure(end);
  if (err) throw new LatheError('engine_error', `Evaluation failed: ${err.message}`, err);
  if (failed) o.log(`evaluation: ${failed}`);
  const predictions: PredictionDto[] = prompts.map((p, i) => {
    const out = (results.get(i) ?? []).filter((t) => !stop.has(t));
    return { row: p.row, prompt: p.prompt, reference: p.reference, prediction: tokenizer.decode(out, { skipSpecialTokens: true }) };
  });
  await writeFileAtomic(o.folder.predictions, predictions.map((p) => JSON.stringify(p)).join('\n') + '\n');
  const scores = scoreAll(predictions);
  o.log(`evaluation: ${scores.samples} samples, BLEU-4 ${scores.bleu4.toFixed(2)}, ROUGE-1 ${scores.rouge1.toFixed(2)}, ROUGE-2 ${scores.rouge2.toFixed(2)}, ROUGE-L ${scores.rougeL.toFixed(2)}`);
  return scores;
}

export async function readPredictions(file: string): Promise<PredictionDto[]> {
  try {
    return (await fs.promises.readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as PredictionDto);
  } catch {
    return [];
  }
}
