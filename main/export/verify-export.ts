// The checks run after every export, each a {check, passed, detail} line the user sees (with `code` + `params` so
// the app shows it in the user's language): the merged weights equal base + scale·B·A, and the exported model — in
// our engine, in llama.cpp, in onnxruntime — gives the next-token distributions our engine gives with the adapter
// applied on the fly, within a tolerance per precision (logit-compare.ts). Reads the export; never changes it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { VerificationDto } from '../../preload/contract/exports.js';
import { findEngineBinary } from '../engine/engine-binary.js';
import { openGguf } from '../gguf/llama-cpp-runner.js';
import { decoderConfigOf } from '../onnx/onnx-export.js';
import { openOnnxDecoder } from '../onnx/onnx-runner.js';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import { engineReference, type EngineAnswer } from './engine-reference.js';
import type { ExportJobResult, ExportJobSpec } from './export-job.js';
import {
  COMPARE_TOP_K,
  comparePosition,
  formatDiff,
  fullDistribution,
  ggufTolerance,
  listDistribution,
  logSoftmax,
  summarize,
  TOLERANCES,
  type PositionResult,
  type Precision,
  type Tolerance,
} from './logit-compare.js';
import { ggufFileName } from './format-writers.js';
import { openLoraAdapter } from './lora-adapter.js';
import { MergedWeights } from './merged-weights.js';
import { CHECK_NAMES, fillText, VERIFY_TEXTS, type CheckId, type VerifyId } from './verify-messages.js';
import { SafetensorsSource } from './safetensors-source.js';

export interface VerifyOptions {
  /** lathe-engine; null skips the engine comparisons (and says so). */
  readonly engine?: string | null;
  readonly maxNewTokens?: number;
  readonly device?: string;
}

const PROMPT_TEXTS = ['Hello! Who are you?', 'Write one sentence about the sea.', 'List three colours:'];

/** Token ids of a few short prompts, through the model's own tokenizer (fixed ids when it has none). */
export async function verificationPrompts(baseDir: string): Promise<number[][]> {
  try {
    const tok = await Tokenizer.fromFile(join(baseDir, 'tokenizer.json'));
    return PROMPT_TEXTS.map((t) => tok.encode(t)).filter((p) => p.length > 0);
  } catch {
    return [[1, 2, 3, 4], [5, 6, 7, 8, 9]];
  }
}

type Params = Record<string, string | number>;

/** A check's line: English detail for the CLI, code + params for the app (texts under `main.<code>`). */
function line(check: CheckId, passed: boolean, code: VerifyId, params: Params, skipped = false): VerificationDto {
  return { check: CHECK_NAMES[check], checkCode: `export.check.${check}`, passed, ...(skipped ? { skipped } : {}), code: `export.verify.${code}`, params, detail: fillText(VERIFY_TEXTS[code], params) };
}

/** Samples rows of each adapted tensor in the merged output and recomputes them in f64 from base + adapter. */
async function checkMergedWeights(spec: ExportJobSpec): Promise<VerificationDto> {
  const check = (passed: boolean, code: VerifyId, params: Params) => line('mergedWeights', passed, code, params);
  if (!spec.adapterDir) return check(true, 'noAdapter', {});
  const out = await SafetensorsSource.open(spec.outDir);
  const w = await MergedWeights.open(spec.baseDir, spec.adapterDir);
  try {
    const pairs = [...w.adapter!.pairs.values()];
    const picks = [pairs[0]!, pairs[Math.floor(pairs.length / 2)]!, pairs[pairs.length - 1]!];
    let worst = 0;
    for (const pair of picks) {
      const t = out.get(pair.target);
      if (!t) return check(false, 'tensorMissing', { tensor: pair.target });
      const rows = t.shape[0]!;
      const cols = t.shape[1]!;
      const { a, b } = await w.loraF32(pair);
      const baseT = w.base.get(pair.target)!;
      for (const r of [0, Math.floor(rows / 2), rows - 1]) {
        const got = await out.readRowsF32(t, r, 1);
        const base = await w.base.readRowsF32(baseT, r, 1);
        for (let j = 0; j < cols; j++) {
          let d = 0;
          let mag = 0;
          for (let k = 0; k < pair.rank; k++) {
            const p = b[r * pair.rank + k]! * a[k * cols + j]!;
            d += p;
            mag += Math.abs(p);
          }
          const want = base[j]! + pair.scale * d;
          // Allowed: half an ulp of the output dtype at this value, plus f32 accumulation of the rank products
          // (the SIMD kernel adds in f32): (rank + 2) f32 roundings of the magnitudes involved.
          const halfUlp = t.dtype === 'BF16' ? 2 ** -8 : t.dtype === 'F16' ? 2 ** -11 : 2 ** -24;
          const allowed = halfUlp * Math.abs(want) + 2 ** -24 * (pair.rank + 2) * (Math.abs(base[j]!) + Math.abs(pair.scale) * mag) + (t.dtype === 'F16' ? 6e-8 : 1e-30);
          worst = Math.max(worst, Math.abs(got[j]! - want) / allowed);
        }
      }
    }
    const params = { rows: picks.length * 3, matrices: picks.length, worst: worst.toFixed(3), dtype: out.tensors[0]?.dtype ?? '?' };
    return check(worst <= 1.01, 'mergedWeights', params);
  } finally {
    await out.close();
    await w.close();
  }
}

/** Greedy agreement, reported beside the distributions (a near tie may flip a token without anything being wrong). */
function greedySame(a: readonly EngineAnswer[], b: readonly (readonly number[])[]): number {
  return a.filter((x, i) => x.tokens.length === b[i]?.length && x.tokens.every((t, j) => t === b[i]![j])).length;
}

/**
 * The line for one distribution comparison. `results[p][i]`: prompt p, position i (0 = right after the prompt).
 * maxLogitDiff: the largest raw |Δ logit| over the whole vocabulary after the prompts, when both sides have logits.
 */
function distributionLine(check: CheckId, precision: Precision, tol: Tolerance, results: PositionResult[][], ref: readonly EngineAnswer[], tokens: readonly (readonly number[])[], maxLogitDiff: number | null): VerificationDto {
  const s = summarize(results, tol);
  const params: Params = {
    precision,
    prompts: ref.length,
    positions: s.positions,
    k: COMPARE_TOP_K,
    maxDiff: formatDiff(s.maxDiff),
    limit: formatDiff(tol.maxDiff),
    top1: s.top1Agree,
    overlap: Math.floor(s.minOverlap * 100),
    minOverlap: Math.round(tol.minOverlap * 100),
    greedySame: greedySame(ref, tokens),
    tokens: ref[0]?.tokens.length ?? 0,
    worstPrompt: s.worstPrompt,
    worstPosition: s.worstPosition,
    ...(maxLogitDiff !== null ? { maxLogitDiff: formatDiff(maxLogitDiff) } : {}),
  };
  const code = maxLogitDiff !== null ? (s.passed ? 'logitsAgree' : 'logitsDiffer') : s.passed ? 'probsAgree' : 'probsDiffer';
  return line(check, s.passed, code, params);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = Math.abs(a[i]! - b[i]!);
    m = Math.max(m, Number.isNaN(d) ? Infinity : d);
  }
  return m;
}

export async function verifyExport(result: ExportJobResult, spec: ExportJobSpec, o: VerifyOptions = {}): Promise<VerificationDto[]> {
  const checks: VerificationDto[] = [];
  const run = async (check: CheckId, fn: () => Promise<VerificationDto | VerificationDto[]>) => {
    try {
      const r = await fn();
      checks.push(...(Array.isArray(r) ? r : [r]));
    } catch (err) {
      const message = (err as Error).message;
      checks.push(line(check, false, 'failed', { message }));
    }
  };
  const engine = o.engine === undefined ? findEngineBinary() : o.engine;
  const maxNew = o.maxNewTokens ?? 8;
  const prompts = spec.baseDir ? await verificationPrompts(spec.baseDir) : [];
  let reference: EngineAnswer[] | null = null;
  /** The engine with the adapter on the fly: greedy tokens, each step's top-K log-probabilities, the prompts' logits. */
  const referenceAnswers = async (): Promise<EngineAnswer[] | null> => {
    if (!engine || !spec.baseDir) return null;
    reference ??= await engineReference({ binary: engine, modelDir: spec.baseDir, adapterDir: spec.adapterDir, prompts, maxNewTokens: maxNew, topK: COMPARE_TOP_K, promptLogits: true, device: o.device });
    return reference;
  };
  const skipped = (check: CheckId): VerificationDto => line(check, false, 'noEngine', {}, true);

  if (spec.format === 'peft') {
    await run('adapter', async () => {
      const ad = await openLoraAdapter(spec.outDir);
      await ad.source.close();
      const params = { pairs: ad.pairs.size, r: ad.config.r, alpha: ad.config.loraAlpha };
      return line('adapter', true, 'adapter', params);
    });
    if (spec.baseDir) {
      await run('engineLoadsAdapter', async () =>
        (await referenceAnswers()) ? line('engineLoadsAdapter', true, 'engineLoadsAdapter', { tokens: maxNew, prompts: prompts.length }) : skipped('engineLoadsAdapter'),
      );
    }
    return checks;
  }
  if (spec.format === 'merged') {
    await run('mergedWeights', () => checkMergedWeights(spec));
    await run('mergedLogits', async () => {
      const ref = await referenceAnswers();
      if (!ref) return skipped('mergedLogits');
      const merged = await engineReference({ binary: engine!, modelDir: spec.outDir, adapterDir: null, prompts, maxNewTokens: maxNew, topK: COMPARE_TOP_K, promptLogits: true, device: o.device });
      const precision = (spec.dtype ?? 'BF16').toLowerCase() as Precision;
      const tol = TOLERANCES[precision];
      let maxLogit = 0;
      const results = ref.map((r, p) => {
        const m = merged[p]!;
        maxLogit = Math.max(maxLogit, maxAbsDiff(r.promptLogits!, m.promptLogits!));
        const out = [comparePosition(r.steps[0]!.top, fullDistribution(logSoftmax(m.promptLogits!)), tol)];
        // Later steps are comparable while both continuations are the same sequence.
        for (let i = 1; i < r.steps.length && r.tokens[i - 1] === m.tokens[i - 1]; i++) out.push(comparePosition(r.steps[i]!.top, listDistribution(m.steps[i]!.top), tol));
        return out;
      });
      return distributionLine('mergedLogits', precision, tol, results, ref, merged.map((m) => m.tokens), maxLogit);
    });
  }
  if (spec.format === 'gguf' || spec.format === 'ollama') {
    const quant = spec.quant ?? 'q8_0';
    await run('ggufLoads', async () => {
      const s = await openGguf(join(spec.outDir, ggufFileName(quant)));
      try {
        const tokens: number[][] = [];
        for (const p of prompts) tokens.push(await s.greedy(p, maxNew));
        const out: VerificationDto[] = [
          line('ggufLoads', tokens.every((t) => t.length === maxNew), 'ggufLoads', { tokens: maxNew, prompts: prompts.length }),
        ];
        const ref = await referenceAnswers();
        if (!ref) out.push(skipped('ggufLogits'));
        else {
          // node-llama-cpp 3.21.1 gives the whole next-token distribution (probabilities at temperature 1): the
          // position after each prompt is compared; the greedy continuations are reported beside it.
          const tol = ggufTolerance(quant);
          const results: PositionResult[][] = [];
          for (const [p, prompt] of prompts.entries()) results.push([comparePosition(ref[p]!.steps[0]!.top, fullDistribution((await s.nextToken(prompt)).logProbs), tol)]);
          out.push(distributionLine('ggufLogits', quant, tol, results, ref, tokens, null));
        }
        return out;
      } finally {
        await s.close();
      }
    });
    if (spec.format === 'ollama') {
      checks.push(line('modelfile', existsSync(join(spec.outDir, 'Modelfile')), 'modelfile', {}));
    }
  }
  if (spec.format === 'onnx') {
    await run('onnxLoads', async () => {
      const w = await MergedWeights.open(spec.baseDir, null);
      const cfg = await decoderConfigOf(spec.baseDir, w);
      await w.close();
      const precision = (spec.dtype ?? 'F32').toLowerCase() as Precision;
      const d = await openOnnxDecoder(spec.outDir, { layers: cfg.layers, kvHeads: cfg.kvHeads, headDim: cfg.headDim, vocab: cfg.vocab });
      try {
        // The decoder's own greedy continuations: the graph and its KV cache run.
        const free: number[][] = [];
        for (const p of prompts) free.push((await d.greedy(p, maxNew)).tokens);
        const out: VerificationDto[] = [line('onnxLoads', free.every((t) => t.length === maxNew), 'onnxLoads', { precision, prompts: prompts.length })];
        const ref = await referenceAnswers();
        if (!ref) out.push(skipped('onnxLogits'));
        else {
          // Teacher-forced: the ONNX decoder scores the engine's own continuation through its KV cache, so every
          // position is compared even where a near tie would send a free-running greedy decode elsewhere.
          const tol = TOLERANCES[precision];
          let maxLogit = 0;
          const results: PositionResult[][] = [];
          for (const [p, prompt] of prompts.entries()) {
            const r = ref[p]!;
            const scored = await d.score(prompt, r.tokens);
            if (scored[0] && r.promptLogits) maxLogit = Math.max(maxLogit, maxAbsDiff(r.promptLogits, scored[0]));
            results.push(r.steps.map((st, i) => comparePosition(st.top, fullDistribution(logSoftmax(scored[i]!)), tol)));
          }
          out.push(distributionLine('onnxLogits', precision, tol, results, ref, free, maxLogit));
        }
        return out;
      } finally {
        await d.close();
      }
    });
  }
  return checks;
}
