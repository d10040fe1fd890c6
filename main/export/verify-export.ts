// The checks run after every export, each a {check, passed, detail} line the user sees: the merged weights equal
// base + scale·B·A, and the exported model — in our engine, in llama.cpp, in onnxruntime — continues prompts
// exactly as our engine does with the adapter applied on the fly. Reads the export; never changes it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { VerificationDto } from '../../preload/contract/exports.js';
import { findEngineBinary } from '../engine/engine-binary.js';
import { openGguf } from '../gguf/llama-cpp-runner.js';
import { decoderConfigOf } from '../onnx/onnx-export.js';
import { openOnnxDecoder } from '../onnx/onnx-runner.js';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import { engineGreedy } from './engine-reference.js';
import type { ExportJobResult, ExportJobSpec } from './export-job.js';
import { ggufFileName } from './format-writers.js';
import { openLoraAdapter } from './lora-adapter.js';
import { MergedWeights } from './merged-weights.js';
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

function agree(a: readonly number[][], b: readonly number[][]): { same: number; firstSame: number; total: number; text: string } {
  let same = 0;
  let firstSame = 0;
  const diffs: string[] = [];
  a.forEach((x, i) => {
    const y = b[i] ?? [];
    if (x.length === y.length && x.every((t, j) => t === y[j])) same++;
    else diffs.push(`prompt ${i + 1}: [${x.join(' ')}] vs [${y.join(' ')}]`);
    if (x[0] === y[0]) firstSame++;
  });
  return { same, firstSame, total: a.length, text: diffs.join('; ') };
}

/** Samples rows of each adapted tensor in the merged output and recomputes them in f64 from base + adapter. */
async function checkMergedWeights(spec: ExportJobSpec): Promise<VerificationDto> {
  if (!spec.adapterDir) return { check: 'merged weights', passed: true, detail: 'No adapter: the weights are the base model converted.' };
  const out = await SafetensorsSource.open(spec.outDir);
  const w = await MergedWeights.open(spec.baseDir, spec.adapterDir);
  try {
    const pairs = [...w.adapter!.pairs.values()];
    const picks = [pairs[0]!, pairs[Math.floor(pairs.length / 2)]!, pairs[pairs.length - 1]!];
    let worst = 0;
    for (const pair of picks) {
      const t = out.get(pair.target);
      if (!t) return { check: 'merged weights', passed: false, detail: `${pair.target} is missing from the export.` };
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
    const passed = worst <= 1.01;
    return { check: 'merged weights', passed, detail: `9 sampled rows of ${picks.length} adapted matrices equal base + scale·B·A (recomputed in f64): worst error ${worst.toFixed(3)}× the rounding allowance of ${out.tensors[0]?.dtype ?? '?'} (limit 1).` };
  } finally {
    await out.close();
    await w.close();
  }
}

export async function verifyExport(result: ExportJobResult, spec: ExportJobSpec, o: VerifyOptions = {}): Promise<VerificationDto[]> {
  const checks: VerificationDto[] = [];
  const run = async (check: string, fn: () => Promise<VerificationDto | VerificationDto[]>) => {
    try {
      const r = await fn();
      checks.push(...(Array.isArray(r) ? r : [r]));
    } catch (err) {
      checks.push({ check, passed: false, detail: (err as Error).message });
    }
  };
  const engine = o.engine === undefined ? findEngineBinary() : o.engine;
  const maxNew = o.maxNewTokens ?? 8;
  const prompts = spec.baseDir ? await verificationPrompts(spec.baseDir) : [];
  let reference: number[][] | null = null;
  const referenceTokens = async (): Promise<number[][] | null> => {
    if (!engine || !spec.baseDir) return null;
    reference ??= await engineGreedy({ binary: engine, modelDir: spec.baseDir, adapterDir: spec.adapterDir, prompts, maxNewTokens: maxNew, device: o.device });
    return reference;
  };
  const skipped = (check: string): VerificationDto => ({ check, passed: false, skipped: true, detail: 'lathe-engine is not built here (node scripts/build-native.mjs), so there is no reference to compare with.' });

  if (spec.format === 'peft') {
    await run('adapter', async () => {
      const ad = await openLoraAdapter(spec.outDir);
      await ad.source.close();
      return { check: 'adapter', passed: true, detail: `${ad.pairs.size} LoRA pairs, r=${ad.config.r}, alpha=${ad.config.loraAlpha}, readable as PEFT.` };
    });
    if (spec.baseDir) await run('engine loads adapter', async () => ((await referenceTokens()) ? { check: 'engine loads adapter', passed: true, detail: `The engine generated ${maxNew} tokens for ${prompts.length} prompts with the exported adapter.` } : skipped('engine loads adapter')));
    return checks;
  }
  if (spec.format === 'merged') {
    await run('merged weights', () => checkMergedWeights(spec));
    await run('engine: merged vs base + adapter', async () => {
      const ref = await referenceTokens();
      if (!ref) return skipped('engine: merged vs base + adapter');
      const merged = await engineGreedy({ binary: engine!, modelDir: spec.outDir, adapterDir: null, prompts, maxNewTokens: maxNew, device: o.device });
      const a = agree(merged, ref);
      return { check: 'engine: merged vs base + adapter', passed: a.same === a.total, detail: `${a.same}/${a.total} prompts give the same ${maxNew} greedy tokens${a.text ? ` (${a.text})` : ''}.` };
    });
  }
  if (spec.format === 'gguf' || spec.format === 'ollama') {
    const quant = spec.quant ?? 'q8_0';
    await run('llama.cpp', async () => {
      const s = await openGguf(join(spec.outDir, ggufFileName(quant)));
      try {
        const tokens: number[][] = [];
        for (const p of prompts) tokens.push(await s.greedy(p, maxNew));
        const out: VerificationDto[] = [{ check: 'llama.cpp loads the GGUF', passed: tokens.every((t) => t.length === maxNew), detail: `node-llama-cpp (llama.cpp, CPU) loaded it and generated ${maxNew} tokens for ${prompts.length} prompts.` }];
        const ref = await referenceTokens();
        if (!ref) out.push(skipped('llama.cpp vs engine'));
        else {
          const a = agree(tokens, ref);
          // Float files must continue exactly like the engine; Q8_0 must agree on the first token; 4-bit files are
          // reported, not judged: a random or tiny model's near-ties flip under 4-bit rounding.
          const exact = ['f32', 'f16', 'bf16'].includes(quant);
          const passed = exact ? a.same === a.total : quant === 'q8_0' ? a.firstSame === a.total : true;
          out.push({ check: 'llama.cpp vs engine', passed, detail: `${quant}: ${a.same}/${a.total} prompts give the engine's ${maxNew} greedy tokens, ${a.firstSame}/${a.total} the same first token${a.text ? ` (${a.text})` : ''}.` });
        }
        return out;
      } finally {
        await s.close();
      }
    });
    if (spec.format === 'ollama') checks.push({ check: 'Modelfile', passed: existsSync(join(spec.outDir, 'Modelfile')), detail: 'Modelfile beside the GGUF (FROM, TEMPLATE, stop parameters).' });
  }
  if (spec.format === 'onnx') {
    await run('onnxruntime', async () => {
      const w = await MergedWeights.open(spec.baseDir, null);
      const cfg = await decoderConfigOf(spec.baseDir, w);
      await w.close();
      const d = await openOnnxDecoder(spec.outDir, { layers: cfg.layers, kvHeads: cfg.kvHeads, headDim: cfg.headDim, vocab: cfg.vocab });
      try {
        const tokens: number[][] = [];
        for (const p of prompts) tokens.push((await d.greedy(p, maxNew)).tokens);
        const out: VerificationDto[] = [{ check: 'onnxruntime loads the ONNX', passed: true, detail: `onnxruntime-node ran the decoder with its KV cache for ${prompts.length} prompts.` }];
        const ref = await referenceTokens();
        if (!ref) out.push(skipped('onnxruntime vs engine'));
        else {
          const a = agree(tokens, ref);
          out.push({ check: 'onnxruntime vs engine', passed: a.same === a.total, detail: `${a.same}/${a.total} prompts give the engine's ${maxNew} greedy tokens${a.text ? ` (${a.text})` : ''}.` });
        }
        return out;
      } finally {
        await d.close();
      }
    });
  }
  return checks;
}
