// GGUF files we write, loaded by llama.cpp (node-llama-cpp's prebuilt CPU build) and compared with an independent
// f64 forward pass over the merged weights.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyAdapter, TINY_MODEL } from '../../test/fixtures/export/tiny-adapter.js';
import { makeWideModel } from '../../test/fixtures/export/wide-model.js';
import { argmax, loadRefModel, refLogits, type RefModel } from '../../test/fixtures/export/reference-forward.js';
import { runExportJob } from '../export/export-job.js';
import { MergedWeights } from '../export/merged-weights.js';
import { specToJinja } from '../export/chat-template.js';
import { builtinTemplate } from '../templates/template-registry.js';
import { writeGguf } from './gguf-export.js';
import { openGguf } from './llama-cpp-runner.js';
import { ggufTensorName, tensorTypeFor, type QuantPreset } from './gguf-tensor-map.js';
import { GgmlType } from './gguf-types.js';
import { dequantizeQ4_K, quantizeQ4_K } from './quantize-q4_k.js';
import { dequantizeQ6_K, quantizeQ6_K } from './quantize-q6_k.js';
import { SafetensorsSource } from '../export/safetensors-source.js';
import { writeSafetensors, type TensorToWrite } from '../models/safetensors-writer.js';

const work = mkdtempSync(join(tmpdir(), 'lathe-gguf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const adapter = join(work, 'adapter');
const wide = join(work, 'wide');
const PROMPTS = [[10, 200, 3000, 45, 77, 1024], [4094, 882, 198, 15, 600, 4095, 198]];
let tinyRef: RefModel;
let wideRef: RefModel;

function refLogProbs(m: RefModel, ids: number[]): Float64Array {
  const V = m.cfg.V;
  const all = refLogits(m, ids);
  const row = all.subarray((ids.length - 1) * V, ids.length * V);
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let z = 0;
  for (const v of row) z += Math.exp(v - max);
  return row.map((v) => v - max - Math.log(z));
}

async function compare(path: string, ref: RefModel): Promise<{ maxDiff: number; top1: number }> {
  const s = await openGguf(path);
  let maxDiff = 0;
  let top1 = 0;
  for (const p of PROMPTS) {
    const got = await s.nextToken(p);
    const want = refLogProbs(ref, p);
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got.logProbs[i]! - want[i]!));
    if (got.top === argmax(want)) top1++;
  }
  await s.close();
  return { maxDiff, top1 };
}

beforeAll(async () => {
  makeTinyAdapter(adapter);
  makeWideModel(wide);
  await runExportJob({ format: 'merged', baseDir: TINY_MODEL, adapterDir: adapter, outDir: join(work, 'merged'), dtype: 'F32' });
  tinyRef = await loadRefModel(join(work, 'merged'));
  wideRef = await loadRefModel(wide);
}, 120_000);

describe('GGUF through llama.cpp', () => {
  const cases: [QuantPreset, number, number][] = [
    // preset, max |Δ log p| allowed, prompts whose top-1 must agree
    // (llama.cpp keeps its KV cache in f16, so even f32 weights differ from the f64 reference by ~1e-3.)
    ['f32', 2e-3, 2],
    ['f16', 5e-3, 2],
    ['bf16', 0.03, 2],
    ['q8_0', 0.08, 2],
    ['q4_0', 1.5, 0],
  ];
  for (const [preset, tol, top] of cases) {
    it(`${preset}: the tiny merged model's next-token log-probs match the reference`, async () => {
      const path = join(work, `tiny-${preset}.gguf`);
      const w = await MergedWeights.open(TINY_MODEL, adapter);
      await writeGguf(w, TINY_MODEL, path, { preset, name: 'tiny', eosToken: '<|im_end|>', chatTemplate: null });
      await w.close();
      const r = await compare(path, tinyRef);
      expect(r.maxDiff).toBeLessThan(tol);
      expect(r.top1).toBeGreaterThanOrEqual(top);
    });
  }

  it('q4_k_m: K-quants on a 256-wide model load and stay close; f32 of it matches', async () => {
    const exact = join(work, 'wide-f32.gguf');
    const q = join(work, 'wide-q4km.gguf');
    for (const [preset, path] of [['f32', exact], ['q4_k_m', q]] as const) {
      const w = await MergedWeights.open(wide, null);
      await writeGguf(w, wide, path, { preset, name: 'wide', eosToken: null, chatTemplate: null });
      await w.close();
    }
    const e = await compare(exact, wideRef);
    expect(e.maxDiff).toBeLessThan(0.02);
    expect(e.top1).toBe(2);
    // Against the original weights a 4-bit random network moves by ~2 nats (Q4_0 of it: ~2.1)…
    const k = await compare(q, wideRef);
    expect(k.maxDiff).toBeLessThan(3);
    // …but against OUR dequantisation of the same blocks, llama.cpp agrees to its activation-quantisation
    // noise (it multiplies Q4_K/Q6_K by Q8_K activations): the block layouts are bit-compatible.
    const dq = join(work, 'wide-dequant');
    mkdirSync(dq);
    for (const f of readdirSync(wide)) if (f !== 'model.safetensors') copyFileSync(join(wide, f), join(dq, f));
    const src = await SafetensorsSource.open(wide);
    const out: TensorToWrite[] = [];
    for (const t of src.tensors) {
      const x = await src.readF32(t);
      const type = tensorTypeFor('q4_k_m', ggufTensorName(t.name)!, t.shape, 2);
      const y = type === GgmlType.Q4_K ? dequantizeQ4_K(quantizeQ4_K(x), x.length) : type === GgmlType.Q6_K ? dequantizeQ6_K(quantizeQ6_K(x), x.length) : x;
      out.push({ name: t.name, dtype: 'F32', shape: t.shape, data: new Uint8Array(y.buffer) });
    }
    await src.close();
    writeSafetensors(join(dq, 'model.safetensors'), out);
    const d = await compare(q, await loadRefModel(dq));
    expect(d.maxDiff).toBeLessThan(0.5);
    expect(d.maxDiff).toBeLessThan(k.maxDiff / 4);
    const s = await openGguf(q);
    const md = (await s.metadata()) as { general: { file_type: number } };
    expect(md.general.file_type).toBe(15);
    await s.close();
  });

  it('carries the tokenizer (qwen2 pre-tokenizer, merges, special ids) and the chat template', async () => {
    const path = join(work, 'tiny-meta.gguf');
    const jinja = specToJinja(builtinTemplate('qwen')!);
    const w = await MergedWeights.open(TINY_MODEL, adapter);
    await writeGguf(w, TINY_MODEL, path, { preset: 'q8_0', name: 'tiny', eosToken: '<|im_end|>', chatTemplate: jinja });
    await w.close();
    const s = await openGguf(path);
    const md = (await s.metadata()) as { tokenizer: { ggml: Record<string, unknown>; chat_template: string } };
    expect(md.tokenizer.ggml.model).toBe('gpt2');
    expect(md.tokenizer.ggml.pre).toBe('qwen2');
    expect(md.tokenizer.ggml.eos_token_id).toBe(4095);
    expect(md.tokenizer.ggml.padding_token_id).toBe(4093);
    expect((md.tokenizer.ggml.merges as string[]).length).toBe(3837);
    expect((md.tokenizer.ggml.token_type as number[])[4094]).toBe(3);
    expect(md.tokenizer.chat_template).toBe(jinja);
    // llama.cpp's tokenizer, from our metadata, splits special tokens and byte-level text like ours.
    const ids = s.tokenize('<|im_start|>user\nhello<|im_end|>');
    expect(ids[0]).toBe(4094);
    expect(ids[ids.length - 1]).toBe(4095);
    await s.close();
  });

  it('writes the same bytes with quantisation on worker threads as inline', async () => {
    const workerFile = join(work, 'quantize-worker.mjs');
    await build({ entryPoints: [join(import.meta.dirname, 'quantize-worker.ts')], outfile: workerFile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error' });
    const files: string[] = [];
    for (const [i, worker] of [workerFile, null].entries()) {
      const w = await MergedWeights.open(TINY_MODEL, adapter);
      const path = join(work, `pool-${i}.gguf`);
      await writeGguf(w, TINY_MODEL, path, { preset: 'q4_k_m', name: 'tiny', eosToken: null, chatTemplate: null, quantizeWorker: worker });
      await w.close();
      files.push(path);
    }
    expect(readFileSync(files[0]!).equals(readFileSync(files[1]!))).toBe(true);
  });
});
