import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planVram, type PlanModel } from './engine-plan.js';

// The estimate is the engine's plan (lathe-engine plan mode, CUDA storage rules); these run the built engine, as CI does.
const GiB = 1024 ** 3;
const QWEN_05B: PlanModel = {
  architecture: 'Qwen2ForCausalLM',
  shape: { layers: 24, hiddenSize: 896, intermediateSize: 4864, heads: 14, kvHeads: 2, headDim: 64, vocabSize: 151936, tieWordEmbeddings: true },
};
const LLAMA_1B: PlanModel = { shape: { layers: 16, hiddenSize: 2048, intermediateSize: 8192, heads: 32, kvHeads: 8, headDim: 64, vocabSize: 128256, tieWordEmbeddings: true } };
const LLAMA_8B: PlanModel = { shape: { layers: 32, hiddenSize: 4096, intermediateSize: 14336, heads: 32, kvHeads: 8, headDim: 128, vocabSize: 128256, tieWordEmbeddings: false } };
const RUN4 = { seqLen: 2048, loraRank: 16, method: 'lora' } as const;

async function plan(m: PlanModel, o: Parameters<typeof planVram>[1]) {
  const p = await planVram(m, o);
  expect(p, 'the engine is built (node scripts/build-native.mjs)').not.toBeNull();
  return p!;
}

describe('GPU memory estimate = the engine plan', () => {
  // native/docs/cuda.md, Run 4 (H200, no checkpointing): measured device allocations, which do not count the CUDA
  // context; the plan's total adds a 1 GiB margin for it.
  it.each([
    ['Qwen2.5-0.5B b8', QWEN_05B, 8, 15.05],
    ['Llama-3.2-1B b8', LLAMA_1B, 8, 21.51],
    ['Llama-3-8B b4', LLAMA_8B, 4, 44.56],
  ] as const)('%s: within 3 %% of the peak measured on the H200, and checkpointing lowers it', async (_name, m, batchSize, measuredGiB) => {
    const off = (await plan(m, { ...RUN4, batchSize, gradientCheckpointing: false })).estimate;
    const on = (await plan(m, { ...RUN4, batchSize, gradientCheckpointing: true })).estimate;
    expect(off.gradientCheckpointing).toBe(false);
    expect(Math.abs((off.totalBytes - off.overheadBytes) / GiB - measuredGiB) / measuredGiB).toBeLessThan(0.03);
    expect(off.overheadBytes).toBe(GiB);
    expect(Math.abs(off.totalBytes - (off.weightsBytes + off.loraStateBytes + off.activationBytes + off.scratchBytes + off.overheadBytes))).toBeLessThanOrEqual(4); // MiB → bytes, rounded per part
    expect(on.gradientCheckpointing).toBe(true);
    expect(on.totalBytes).toBe(off.withCheckpointingBytes);
    expect(off.totalBytes).toBe(on.withoutCheckpointingBytes);
    expect(on.totalBytes).toBeLessThan(0.6 * off.totalBytes);
    expect(on.weightsBytes).toBe(off.weightsBytes);
  });

  it('counts LoRA parameters on all seven projections (Llama-3-8B r=16 is 41.9M, as peft reports)', async () => {
    expect((await plan(LLAMA_8B, { ...RUN4, batchSize: 1 })).estimate.loraParams).toBe(41_943_040);
  });

  it('QLoRA on the 8B plans less than LoRA: the CUDA engine stores the decoder projections as NF4 (the embedding and lm_head stay bf16, as bitsandbytes) and dequantises one matrix at a time (native/docs/cuda.md)', async () => {
    const lora = (await plan(LLAMA_8B, { ...RUN4, batchSize: 4, gradientCheckpointing: true })).estimate;
    const qlora = (await plan(LLAMA_8B, { ...RUN4, method: 'qlora', batchSize: 4, gradientCheckpointing: true })).estimate;
    expect(qlora.method).toBe('qlora');
    expect(lora.weightsBytes).toBeGreaterThan(14.5 * GiB); // 8.0B bf16 parameters
    // the 7.0B projection parameters at 4.13 bits (NF4 + double-quantised absmax) + embedding and lm_head in bf16
    const embed = 2 * 128256 * 4096 * 2;
    expect(qlora.weightsBytes - embed).toBeGreaterThan(0.25 * (lora.weightsBytes - embed));
    expect(qlora.weightsBytes - embed).toBeLessThan(0.27 * (lora.weightsBytes - embed));
    expect(qlora.weightsBytes).toBeGreaterThan(5.2 * GiB);
    expect(qlora.weightsBytes).toBeLessThan(5.4 * GiB);
    // + one bf16 buffer of the largest projection (down_proj, 4096 x 14336) to dequantise into before each GEMM
    expect(qlora.scratchBytes - lora.scratchBytes).toBeCloseTo(14336 * 4096 * 2, -3);
    expect(qlora.activationBytes).toBe(lora.activationBytes);
    expect(qlora.totalBytes).toBeLessThan(lora.totalBytes - 9 * GiB);
  });

  it('checkpointing unset: decided against the GPU memory as the engine decides for the run, with the settings that fit', async () => {
    const big = await plan(LLAMA_8B, { ...RUN4, batchSize: 4, gpuMemoryBytes: 80 * GiB });
    expect(big).toMatchObject({ withinLimit: true, fits: [] });
    expect(big.estimate.gradientCheckpointing).toBe(false);
    const mid = await plan(LLAMA_8B, { ...RUN4, batchSize: 4, gpuMemoryBytes: 32 * GiB });
    expect(mid.withinLimit).toBe(true);
    expect(mid.estimate.gradientCheckpointing).toBe(true);
    const small = await plan(LLAMA_8B, { ...RUN4, batchSize: 4, gpuMemoryBytes: 80 * GiB, maxVramGb: 24 });
    expect(small.withinLimit).toBe(false);
    expect(small.fits.length).toBeGreaterThan(0);
    for (const f of small.fits) expect(Number(f.needed_mib) * 1024 * 1024).toBeLessThanOrEqual(24 * GiB);
  });

  it('reads a model folder\'s config.json (no weights needed) and reports an engine error as a LatheError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lathe-plan-model-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], vocab_size: 64, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-5 }));
    const p = await plan({ dir }, { method: 'lora', seqLen: 128, batchSize: 2, loraRank: 8 });
    expect(p.estimate).toMatchObject({ seqLen: 128, batchSize: 2, loraRank: 8, gradientCheckpointing: false, loraParams: 2 * 8 * (64 + 48 + 48 + 64 + 3 * 80) });
    await expect(planVram({ dir: join(dir, 'missing') }, { method: 'lora', seqLen: 128, batchSize: 1, loraRank: 8 })).rejects.toMatchObject({ code: 'engine_error', message: expect.stringMatching(/model folder not found/) });
  });
});
