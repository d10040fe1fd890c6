// A Qwen2-layout model (q/k/v biases, tied embeddings, GGUF arch "qwen2" without the Q/K permute) through both
// deployed runtimes, against the f64 reference.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { argmax, loadRefModel, refLogits } from '../../test/fixtures/export/reference-forward.js';
import { makeWideModel } from '../../test/fixtures/export/wide-model.js';
import { runExportJob } from '../export/export-job.js';
import { openOnnxDecoder } from '../onnx/onnx-runner.js';
import { openGguf } from './llama-cpp-runner.js';

const work = mkdtempSync(join(tmpdir(), 'lathe-qwen2-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const PROMPT = [1, 882, 198, 15, 600, 2, 198];

describe('Qwen2 layout', () => {
  it('GGUF (qwen2 arch) and ONNX match the reference, biases and tied embeddings included', async () => {
    const model = join(work, 'qwen2');
    makeWideModel(model, 11, 'qwen2');
    const ref = await loadRefModel(model);
    const all = refLogits(ref, PROMPT);
    const want = all.subarray((PROMPT.length - 1) * 4096);
    let max = -Infinity;
    for (const v of want) max = Math.max(max, v);
    let z = 0;
    for (const v of want) z += Math.exp(v - max);
    const wantLp = want.map((v) => v - max - Math.log(z));

    await runExportJob({ format: 'gguf', baseDir: model, adapterDir: null, outDir: join(work, 'gguf'), quant: 'f32' });
    const g = await openGguf(join(work, 'gguf', 'model-f32.gguf'));
    const md = (await g.metadata()) as { general: { architecture: string } };
    expect(md.general.architecture).toBe('qwen2');
    const got = await g.nextToken(PROMPT);
    await g.close();
    let lpErr = 0;
    for (let i = 0; i < 4096; i++) lpErr = Math.max(lpErr, Math.abs(got.logProbs[i]! - wantLp[i]!));
    expect(lpErr).toBeLessThan(0.05);
    expect(got.top).toBe(argmax(want));

    await runExportJob({ format: 'onnx', baseDir: model, adapterDir: null, outDir: join(work, 'onnx') });
    const d = await openOnnxDecoder(join(work, 'onnx'), { layers: 2, kvHeads: 2, headDim: 64, vocab: 4096 });
    const logits = await d.lastLogits(PROMPT);
    await d.close();
    let err = 0;
    for (let i = 0; i < 4096; i++) err = Math.max(err, Math.abs(logits[i]! - want[i]!));
    expect(err).toBeLessThan(1e-3);
  });
});
