// Verification by next-token distributions on the tiny demo model: a correct export (merged f32, ONNX f16, GGUF f16)
// passes against the engine with the adapter applied on the fly, and the same export with a perturbed weight fails
// with a detail that says by how much and where. Needs lathe-engine (node scripts/build-native.mjs).
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTinyAdapter, TINY_MODEL } from '../../test/fixtures/export/tiny-adapter.js';
import type { VerificationDto } from '../../preload/contract/exports.js';
import { findEngineBinary } from '../engine/engine-binary.js';
import { runExportJob, type ExportJobSpec } from './export-job.js';
import { ggufFileName } from './format-writers.js';
import { SafetensorsSource } from './safetensors-source.js';
import { verifyExport } from './verify-export.js';

const work = mkdtempSync(join(tmpdir(), 'lathe-verify-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const adapter = join(work, 'adapter');
makeTinyAdapter(adapter);
const engine = findEngineBinary();

function find(v: readonly VerificationDto[], checkCode: string): VerificationDto {
  const c = v.find((x) => x.checkCode === `export.check.${checkCode}`);
  expect(c, `${checkCode} in ${JSON.stringify(v)}`).toBeDefined();
  return c!;
}

/** Overwrites `count` little-endian values at byte `at` of a file. */
function poke(file: string, at: number, bytes: Uint8Array): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, bytes, 0, bytes.length, at);
  closeSync(fd);
}

describe.skipIf(!engine)('verification by logits', () => {
  it('merged f32: agrees with base + adapter to ~1e-6; a perturbed final norm fails with the size of the difference', async () => {
    const spec: ExportJobSpec = { format: 'merged', baseDir: TINY_MODEL, adapterDir: adapter, outDir: join(work, 'merged'), dtype: 'F32' };
    const res = await runExportJob(spec);
    const ok = find(await verifyExport(res, spec), 'mergedLogits');
    expect(ok).toMatchObject({ passed: true, code: 'export.verify.logitsAgree', params: { precision: 'f32', prompts: 3, positions: 24 } });
    expect(Number(ok.params!.maxDiff)).toBeLessThan(1e-5);
    // model.norm.weight is not adapted: the sampled merged-weights check cannot see it, the logits do.
    const src = await SafetensorsSource.open(spec.outDir);
    const t = src.get('model.norm.weight')!;
    await src.close();
    poke(join(spec.outDir, t.file), t.offset, new Uint8Array(new Float32Array(16).fill(3).buffer));
    const v = await verifyExport(res, spec);
    expect(find(v, 'mergedWeights').passed).toBe(true);
    const bad = find(v, 'mergedLogits');
    expect(bad).toMatchObject({ passed: false, code: 'export.verify.logitsDiffer' });
    expect(Number(bad.params!.maxDiff)).toBeGreaterThan(1e-3);
    expect(bad.detail).toMatch(/differ from the engine’s .* \(limit 0\.001\), at prompt \d, position \d/);
  });

  it('ONNX f16: every position of the teacher-forced continuation within f16 limits; overwritten weights fail', async () => {
    const spec: ExportJobSpec = { format: 'onnx', baseDir: TINY_MODEL, adapterDir: adapter, outDir: join(work, 'onnx-f16'), dtype: 'F16' };
    const res = await runExportJob(spec);
    const v = await verifyExport(res, spec);
    expect(find(v, 'onnxLoads')).toMatchObject({ passed: true, params: { precision: 'f16' } });
    const ok = find(v, 'onnxLogits');
    expect(ok, ok.detail).toMatchObject({ passed: true, code: 'export.verify.logitsAgree', params: { precision: 'f16', positions: 24 } });
    // Rounded to f16, so not f32-exact, but far inside the limit (measured 6.9e-4).
    expect(Number(ok.params!.maxDiff)).toBeGreaterThan(1e-6);
    expect(Number(ok.params!.maxDiff)).toBeLessThan(5e-3);
    const data = join(spec.outDir, 'model.onnx.data');
    const size = statSync(data).size;
    poke(data, Math.floor(size / 2 / 4096) * 4096, new Uint8Array(new Uint16Array(64 * 1024).fill(0x3c00).buffer)); // f16 1.0
    const bad = find(await verifyExport(res, spec), 'onnxLogits');
    expect(bad).toMatchObject({ passed: false, code: 'export.verify.logitsDiffer' });
    expect(bad.detail).toContain('does not compute what was trained');
  });

  it('GGUF f16: llama.cpp’s next-token probabilities match; a corrupted tensor region fails', async () => {
    const spec: ExportJobSpec = { format: 'gguf', baseDir: TINY_MODEL, adapterDir: adapter, outDir: join(work, 'gguf'), quant: 'f16' };
    const res = await runExportJob(spec);
    const ok = find(await verifyExport(res, spec), 'ggufLogits');
    expect(ok, ok.detail).toMatchObject({ passed: true, code: 'export.verify.probsAgree', params: { precision: 'f16', positions: 3 } });
    expect(Number(ok.params!.maxDiff)).toBeLessThan(0.01);
    const file = join(spec.outDir, ggufFileName('f16'));
    const size = statSync(file).size;
    poke(file, Math.floor(size * 0.6), new Uint8Array(new Uint16Array(128 * 1024).fill(0x3c00).buffer));
    const bad = find(await verifyExport(res, spec), 'ggufLogits');
    expect(bad).toMatchObject({ passed: false, code: 'export.verify.probsDiffer' });
  });
});
