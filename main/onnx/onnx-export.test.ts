// The ONNX decoder we write, run by onnxruntime-node, against the f64 reference and against llama.cpp on the GGUF.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyAdapter, TINY_MODEL } from '../../test/fixtures/export/tiny-adapter.js';
import { argmax, loadRefModel, refLogits, type RefModel } from '../../test/fixtures/export/reference-forward.js';
import { runExportJob } from '../export/export-job.js';
import { openGguf } from '../gguf/llama-cpp-runner.js';
import { builtinTemplate } from '../templates/template-registry.js';
import { openOnnxDecoder } from './onnx-runner.js';
import { exportOnnxForPlayground } from '../export/onnx-exporter.js';
import { existsSync, mkdirSync, statSync } from 'node:fs';

const work = mkdtempSync(join(tmpdir(), 'lathe-onnx-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const adapter = join(work, 'adapter');
const META = { layers: 4, kvHeads: 2, headDim: 32, vocab: 4096 };
let ref: RefModel;

beforeAll(async () => {
  makeTinyAdapter(adapter);
  await runExportJob({ format: 'merged', baseDir: TINY_MODEL, adapterDir: adapter, outDir: join(work, 'merged'), dtype: 'F32' });
  ref = await loadRefModel(join(work, 'merged'));
  await runExportJob({ format: 'onnx', baseDir: TINY_MODEL, adapterDir: adapter, outDir: join(work, 'onnx'), template: { kind: 'spec', spec: builtinTemplate('qwen')! } });
}, 120_000);

/** Greedy by full recomputation in the reference: no cache involved. */
function refGreedy(prompt: number[], n: number): number[] {
  const ids = [...prompt];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const l = refLogits(ref, ids);
    const t = argmax(l, (ids.length - 1) * 4096, 4096);
    out.push(t);
    ids.push(t);
  }
  return out;
}

describe('ONNX decoder', () => {
  it('writes model.onnx + external data + tokenizer files', () => {
    const files = readFileSync(join(work, 'onnx', 'README.md'), 'utf8');
    expect(files).toContain('ONNX decoder');
    expect(readFileSync(join(work, 'onnx', 'tokenizer_config.json'), 'utf8')).toContain('chat_template');
  });

  it('gives the reference logits on a prompt (f32, no cache)', async () => {
    const d = await openOnnxDecoder(join(work, 'onnx'), META);
    for (const p of [[10, 200, 3000, 45, 77, 1024], [4094, 882, 198, 15]]) {
      const got = await d.lastLogits(p);
      const want = refLogits(ref, p).subarray((p.length - 1) * 4096);
      let maxErr = 0;
      for (let i = 0; i < 4096; i++) maxErr = Math.max(maxErr, Math.abs(got[i]! - want[i]!));
      expect(maxErr).toBeLessThan(1e-4);
      expect(argmax(got)).toBe(argmax(want));
    }
    await d.close();
  });

  it('decodes greedily through the KV cache exactly like full recomputation, and like llama.cpp on the GGUF', async () => {
    const prompt = [4094, 882, 198, 15, 600, 4095, 198];
    const d = await openOnnxDecoder(join(work, 'onnx'), META);
    const { tokens, logits } = await d.greedy(prompt, 6);
    await d.close();
    expect(tokens).toEqual(refGreedy(prompt, 6));
    // The cached step's logits equal the uncached pass over the longer prompt.
    const full = refLogits(ref, [...prompt, ...tokens.slice(0, 5)]);
    const last = full.subarray((prompt.length + 4) * 4096, (prompt.length + 5) * 4096);
    let maxErr = 0;
    for (let i = 0; i < 4096; i++) maxErr = Math.max(maxErr, Math.abs(logits[5]![i]! - last[i]!));
    expect(maxErr).toBeLessThan(1e-4);
    await runExportJob({ format: 'gguf', baseDir: TINY_MODEL, adapterDir: adapter, outDir: join(work, 'gguf'), quant: 'f32' });
    const g = await openGguf(join(work, 'gguf', 'model-f32.gguf'));
    expect(await g.greedy(prompt, 6)).toEqual(tokens);
    await g.close();
  });

  it('f16 and bf16 weights: half the data file, and the f32 logits within the weights’ rounding', async () => {
    const f32Bytes = statSync(join(work, 'onnx', 'model.onnx.data')).size;
    for (const [dtype, limit] of [['F16', 5e-3], ['BF16', 3e-2]] as const) {
      const dir = join(work, `onnx-${dtype}`);
      await runExportJob({ format: 'onnx', baseDir: TINY_MODEL, adapterDir: adapter, outDir: dir, dtype });
      expect(statSync(join(dir, 'model.onnx.data')).size).toBeLessThan(f32Bytes * 0.51);
      expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).torch_dtype).toBe(dtype === 'F16' ? 'float16' : 'bfloat16');
      const d = await openOnnxDecoder(dir, META);
      const p = [4094, 882, 198, 15, 600, 4095, 198];
      const got = await d.lastLogits(p);
      const want = refLogits(ref, p).subarray((p.length - 1) * 4096);
      let maxErr = 0;
      for (let i = 0; i < 4096; i++) maxErr = Math.max(maxErr, Math.abs(got[i]! - want[i]!));
      // Not f32-exact (the weights were rounded) but close: f16 keeps 11 bits, bf16 8.
      expect(maxErr).toBeGreaterThan(1e-6);
      expect(maxErr).toBeLessThan(limit);
      await d.close();
    }
    // The streamed transpose writes 2-byte values in narrow bands exactly as in one piece.
    const { writeOnnx, ONNX_DATA_FILE } = await import('./onnx-export.js');
    const { MergedWeights } = await import('../export/merged-weights.js');
    mkdirSync(join(work, 'f16-narrow'));
    const w = await MergedWeights.open(TINY_MODEL, adapter);
    await writeOnnx(w, TINY_MODEL, join(work, 'f16-narrow'), { bandBytes: 5000, dtype: 'F16' });
    await w.close();
    expect(readFileSync(join(work, 'f16-narrow', ONNX_DATA_FILE)).equals(readFileSync(join(work, 'onnx-F16', ONNX_DATA_FILE)))).toBe(true);
  });

  it('serves the playground hook: exports into an (empty) cache folder', async () => {
    const dir = join(work, 'playground-cache');
    mkdirSync(dir);
    await exportOnnxForPlayground({ modelDir: TINY_MODEL, adapterDir: adapter, outDir: dir });
    expect(existsSync(join(dir, 'model.onnx'))).toBe(true);
    expect(existsSync(join(dir, 'config.json'))).toBe(true);
  });

  it('writes the same weights in narrow bands (the streamed transpose) as in one piece', async () => {
    const { writeOnnx, ONNX_DATA_FILE } = await import('./onnx-export.js');
    const { MergedWeights } = await import('../export/merged-weights.js');
    for (const [dir, bandBytes] of [['band-wide', 1 << 30], ['band-narrow', 5000]] as const) {
      mkdirSync(join(work, dir));
      const w = await MergedWeights.open(TINY_MODEL, adapter);
      await writeOnnx(w, TINY_MODEL, join(work, dir), { bandBytes });
      await w.close();
    }
    const a = readFileSync(join(work, 'band-wide', ONNX_DATA_FILE));
    expect(a.equals(readFileSync(join(work, 'band-narrow', ONNX_DATA_FILE)))).toBe(true);
    expect(a.length).toBeGreaterThan(1_000_000);
  });
});
