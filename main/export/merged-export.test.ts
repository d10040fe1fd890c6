// Merged exports read back and recomputed independently; PEFT folder with README; cancel, refusal, sharding.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTinyAdapter, TINY_MODEL } from '../../test/fixtures/export/tiny-adapter.js';
import { builtinTemplate } from '../templates/template-registry.js';
import { summariseSafetensors } from '../models/safetensors-header.js';
import { runExportJob } from './export-job.js';
import { SafetensorsSource } from './safetensors-source.js';
import { MergePool, runRows, runRowsJs, sharedBytes, sharedF32 } from './merge-pool.js';
import { f32ToBf16, bf16ToF32 } from './half-float.js';
import { planShards, parseShardSize, ShardWriter } from './safetensors-sharder.js';

const work = mkdtempSync(join(tmpdir(), 'lathe-merge-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const adapter = join(work, 'adapter');
makeTinyAdapter(adapter, { r: 4, alpha: 8 });

/** The textbook merge, written independently of the kernel: W + (alpha/r)·B·A, element by element, in f64. */
async function naiveMerged(name: string): Promise<Float64Array> {
  const base = await SafetensorsSource.open(TINY_MODEL);
  const ad = await SafetensorsSource.open(adapter, 'adapter_model.safetensors');
  const t = base.get(name)!;
  const w = await base.readF32(t);
  const stem = `base_model.model.${name.replace(/\.weight$/, '')}`;
  const A = await ad.readF32(ad.get(`${stem}.lora_A.weight`)!);
  const B = await ad.readF32(ad.get(`${stem}.lora_B.weight`)!);
  const [out, inp] = t.shape as [number, number];
  const r = 4;
  const res = new Float64Array(out * inp);
  for (let o = 0; o < out; o++)
    for (let i = 0; i < inp; i++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += B[o * r + k]! * A[k * inp + i]!;
      res[o * inp + i] = w[o * inp + i]! + 2 * s;
    }
  await base.close();
  await ad.close();
  return res;
}

describe('merged export', () => {
  it('writes W + (alpha/r)·B·A in f32, sharded, with index, config, tokenizer and the chat template', async () => {
    const out = join(work, 'merged-f32');
    const res = await runExportJob({
      format: 'merged', baseDir: TINY_MODEL, adapterDir: adapter, outDir: out, dtype: 'F32', maxShardBytes: 2_000_000,
      template: { kind: 'spec', spec: builtinTemplate('qwen')! },
    });
    const names = res.files.map((f) => f.path);
    expect(names).toContain('model.safetensors.index.json');
    expect(names.filter((n) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(n)).length).toBeGreaterThan(2);
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'README.md', 'chat_template.jinja']) expect(names).toContain(f);
    expect(readdirSync(work).some((n) => n.includes('.partial-'))).toBe(false);
    const summary = await summariseSafetensors(out);
    expect(summary.dtype).toBe('F32');
    const src = await SafetensorsSource.open(out);
    for (const name of ['model.layers.0.self_attn.q_proj.weight', 'model.layers.3.mlp.down_proj.weight', 'model.layers.2.self_attn.k_proj.weight']) {
      const got = await src.readF32(src.get(name)!);
      const want = await naiveMerged(name);
      let maxErr = 0;
      for (let i = 0; i < got.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i]! - want[i]!));
      expect(maxErr).toBeLessThan(1e-6);
    }
    // Not adapted: copied unchanged.
    const base = await SafetensorsSource.open(TINY_MODEL);
    const emb = await src.readF32(src.get('model.embed_tokens.weight')!);
    expect(emb).toEqual(await base.readF32(base.get('model.embed_tokens.weight')!));
    await base.close();
    await src.close();
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.torch_dtype).toBe('float32');
    const tc = JSON.parse(readFileSync(join(out, 'tokenizer_config.json'), 'utf8'));
    expect(tc.chat_template).toContain('You are Qwen');
    expect(tc.eos_token).toBe('<|im_end|>');
    const gen = JSON.parse(readFileSync(join(out, 'generation_config.json'), 'utf8'));
    expect(gen.eos_token_id).toEqual([4095, 4093]);
    const index = JSON.parse(readFileSync(join(out, 'model.safetensors.index.json'), 'utf8'));
    expect(index.metadata.total_size).toBe(summary.bytes);
  });

  it('writes bf16 rounded once from the f32 merge, into a single file when it fits', async () => {
    const out = join(work, 'merged-bf16');
    const res = await runExportJob({ format: 'merged', baseDir: TINY_MODEL, adapterDir: adapter, outDir: out, dtype: 'BF16' });
    expect(res.files.map((f) => f.path)).toContain('model.safetensors');
    expect(existsSync(join(out, 'model.safetensors.index.json'))).toBe(false);
    const src = await SafetensorsSource.open(out);
    const name = 'model.layers.1.mlp.gate_proj.weight';
    const t = src.get(name)!;
    expect(t.dtype).toBe('BF16');
    const got = await src.readF32(t);
    const want = await naiveMerged(name);
    const rounded = bf16ToF32(f32ToBf16(Float32Array.from(want)));
    let mismatches = 0;
    for (let i = 0; i < got.length; i++) if (got[i] !== rounded[i]) mismatches++;
    // f32 accumulation order can flip a rounding at a tie: allow a handful in 45k.
    expect(mismatches).toBeLessThan(10);
    await src.close();
  });

  it('leaves nothing behind when cancelled, and refuses an existing output folder', async () => {
    const out = join(work, 'cancelled');
    const ac = new AbortController();
    ac.abort();
    await expect(runExportJob({ format: 'merged', baseDir: TINY_MODEL, adapterDir: adapter, outDir: out }, { signal: ac.signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work).some((n) => n.startsWith('cancelled'))).toBe(false);
    await expect(runExportJob({ format: 'merged', baseDir: TINY_MODEL, adapterDir: adapter, outDir: join(work, 'merged-f32') })).rejects.toMatchObject({ code: 'already_exists' });
  });

  it('refuses an adapter trained on another model', async () => {
    const other = join(work, 'other-adapter');
    makeTinyAdapter(other, { r: 4 });
    const cfg = JSON.parse(readFileSync(join(other, 'adapter_config.json'), 'utf8'));
    expect(cfg.r).toBe(4);
    const { writeSafetensors } = await import('../models/safetensors-writer.js');
    writeSafetensors(join(other, 'adapter_model.safetensors'), [
      { name: 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', dtype: 'F32', shape: [4, 64], data: new Uint8Array(4 * 64 * 4) },
      { name: 'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight', dtype: 'F32', shape: [128, 4], data: new Uint8Array(128 * 4 * 4) },
    ]);
    await expect(runExportJob({ format: 'merged', baseDir: TINY_MODEL, adapterDir: other, outDir: join(work, 'x') })).rejects.toMatchObject({ code: 'bad_input' });
  });

  it('exports the adapter folder with a README naming base, template and settings', async () => {
    const out = join(work, 'peft');
    const res = await runExportJob({ format: 'peft', baseDir: TINY_MODEL, adapterDir: adapter, outDir: out, template: { kind: 'spec', spec: builtinTemplate('chatml')! }, settings: { learning_rate: 2e-4 } });
    expect(res.files.map((f) => f.path).sort()).toEqual(['README.md', 'adapter_config.json', 'adapter_model.safetensors']);
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    expect(readme).toContain('lathe-tiny-llama');
    expect(readme).toContain('`chatml`');
    expect(readme).toContain('| learning_rate | 0.0002 |');
    expect(readme).toContain('alpha/r = 2.0000');
  });
});

describe('merge pool and sharding', () => {
  it('gives the same bytes on worker threads as on the calling thread', async () => {
    const rows = 1024, cols = 1100, rank = 8;
    const srcF = new Float32Array(rows * cols).map((_, i) => Math.sin(i) * 0.05);
    const src = sharedBytes(rows * cols * 2);
    new Uint16Array(src.buffer).set(f32ToBf16(srcF));
    const a = sharedF32(new Float32Array(rank * cols).map((_, i) => Math.cos(i) * 0.1));
    const b = sharedF32(new Float32Array(rows * rank).map((_, i) => Math.sin(i * 0.7) * 0.1));
    const one = new Uint8Array(rows * cols * 2);
    runRows({ src, srcDtype: 'BF16', dst: one, dstDtype: 'BF16', rows, cols, lora: { a, b, rank, scale: 2 } }, 0, rows);
    const pool = new MergePool(3);
    const many = sharedBytes(rows * cols * 2);
    await pool.run({ src, srcDtype: 'BF16', dst: many, dstDtype: 'BF16', rows, cols, lora: { a, b, rank, scale: 2 } });
    await pool.close();
    expect(Buffer.from(many).equals(Buffer.from(one))).toBe(true);
    expect(Buffer.from(one).equals(Buffer.from(src))).toBe(false);
  });

  it('the WebAssembly SIMD kernel agrees with the JS one (f32 output), and falls back where it cannot run', () => {
    for (const [rows, cols, rank] of [[300, 1024, 16], [17, 36, 8], [9, 30, 6], [5, 33, 4]] as const) {
      const src = new Uint8Array(Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i) * 0.05).buffer);
      const a = Float32Array.from({ length: rank * cols }, (_, i) => Math.cos(i) * 0.1);
      const b = Float32Array.from({ length: rows * rank }, (_, i) => Math.sin(i * 0.3) * 0.1);
      const job = (dst: Uint8Array) => ({ src, srcDtype: 'F32', dst, dstDtype: 'F32', rows, cols, lora: { a, b, rank, scale: 2 } });
      const wasm = new Uint8Array(rows * cols * 4);
      const js = new Uint8Array(rows * cols * 4);
      runRows(job(wasm), 0, rows);
      runRowsJs(job(js), 0, rows);
      const x = new Float32Array(wasm.buffer), y = new Float32Array(js.buffer), s0 = new Float32Array(src.buffer);
      let maxErr = 0, changed = 0;
      for (let i = 0; i < x.length; i++) {
        maxErr = Math.max(maxErr, Math.abs(x[i]! - y[i]!));
        if (x[i] !== s0[i]) changed++;
      }
      expect(maxErr).toBeLessThan(2e-7);
      expect(changed).toBeGreaterThan(x.length / 2);
    }
  });

  it('the fused bf16 kernel (and its fallback for widths it does not take) gives the bytes of decode → f32 SIMD merge → bf16 rounding, specials included', () => {
    for (const [rows, cols, rank] of [[300, 2048, 16], [7, 16, 4], [33, 144, 8], [9, 40, 8]] as const) {
      const src = new Uint8Array(rows * cols * 2);
      const bits = new Uint16Array(src.buffer);
      // every bit pattern family: normals, subnormals, ±0, ±Inf, NaNs
      for (let i = 0; i < bits.length; i++) bits[i] = (Math.imul(i, 2654435761) >>> 9) & 0xffff;
      const a = Float32Array.from({ length: rank * cols }, (_, i) => Math.cos(i) * 0.1);
      const b = Float32Array.from({ length: rows * rank }, (_, i) => Math.sin(i * 0.3) * 0.1);
      const lora = { a, b, rank, scale: 1.7 };
      const fused = new Uint8Array(rows * cols * 2);
      runRows({ src, srcDtype: 'BF16', dst: fused, dstDtype: 'BF16', rows, cols, lora }, 0, rows);
      const f32 = new Uint8Array(bf16ToF32(bits).buffer);
      const merged = new Uint8Array(rows * cols * 4);
      runRows({ src: f32, srcDtype: 'F32', dst: merged, dstDtype: 'F32', rows, cols, lora }, 0, rows);
      const want = new Uint8Array(f32ToBf16(new Float32Array(merged.buffer)).buffer);
      expect(Buffer.from(fused).equals(Buffer.from(want))).toBe(true);
      expect(Buffer.from(fused).equals(Buffer.from(src))).toBe(false);
    }
  });

  it('writes a shard whole while fdatasyncs run behind the writes', async () => {
    const dir = mkdtempSync(join(work, 'sync-behind-'));
    const plan = planShards([{ name: 'x', dtype: 'BF16', shape: [64, 1024] }, { name: 'y', dtype: 'BF16', shape: [3000] }], 1e9)[0]!;
    // a sync every 4 KiB: many start while later pieces are still being written
    const w = await ShardWriter.create(dir, plan, { format: 'pt' }, 4096);
    const x = new Uint8Array(64 * 1024 * 2).map((_, i) => (i * 31) & 0xff);
    for (let p = 0; p < x.length; p += 5000) await w.write('x', x.subarray(p, Math.min(x.length, p + 5000)));
    const y = new Uint8Array(6000).map((_, i) => (i * 7) & 0xff);
    await w.write('y', y);
    await w.close();
    const src = await SafetensorsSource.open(dir, plan.file);
    expect(Buffer.from(await src.readBytes(src.get('x')!)).equals(Buffer.from(x))).toBe(true);
    expect(Buffer.from(await src.readBytes(src.get('y')!)).equals(Buffer.from(y))).toBe(true);
    await src.close();
  });

  it('plans shards like transformers and parses sizes', () => {
    const t = (name: string, n: number) => ({ name, dtype: 'BF16', shape: [n] });
    const plan = planShards([t('a', 200), t('b', 200), t('c', 900), t('d', 10)], 1000);
    expect(plan.map((s) => s.tensors.map((x) => x.name))).toEqual([['a', 'b'], ['c'], ['d']]);
    expect(plan[0]!.file).toBe('model-00001-of-00003.safetensors');
    expect(parseShardSize('5GB')).toBe(5e9);
    expect(parseShardSize('2GiB')).toBe(2 ** 31);
    expect(() => parseShardSize('lots')).toThrow();
  });
});

describe('stale partial folders', () => {
  it('removes old *.partial-* folders and keeps young ones and everything else', async () => {
    const { removeStalePartials } = await import('./atomic-output.js');
    const { mkdirSync, utimesSync } = await import('node:fs');
    const dir = join(work, 'sweep');
    for (const n of ['a.partial-0123abcd', 'b.partial-89abcdef', 'c', 'd.partial-x']) mkdirSync(join(dir, n), { recursive: true });
    const old = new Date(Date.now() - 3 * 24 * 3600 * 1000);
    utimesSync(join(dir, 'a.partial-0123abcd'), old, old);
    utimesSync(join(dir, 'c'), old, old);
    const removed = await removeStalePartials(dir);
    expect(removed).toEqual([join(dir, 'a.partial-0123abcd')]);
    expect(readdirSync(dir).sort()).toEqual(['b.partial-89abcdef', 'c', 'd.partial-x']);
  });
});
