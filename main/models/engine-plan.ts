// The app's GPU memory estimate is the engine's own memory plan: `lathe-engine` in plan mode (native/docs/protocol.md,
// "Plan mode"), the same sums a training run allocates by and checks before loading, which matched the peaks measured
// on the H200 (native/docs/cuda.md, Run 4). Planned with the CUDA backend's storage rules (`plan_for: "cuda"`), so a
// CPU-only build answers for a GPU. Runs the engine as a child process (milliseconds); computes nothing itself, and
// without an engine binary it returns null (there is no second formula to drift from the engine's).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';
import type { VramEstimateDto } from '../../preload/contract/models.js';
import { findEngineBinary } from '../engine/engine-binary.js';
import type { ModelShape } from './model-shape.js';

export interface PlanOptions {
  readonly method: 'lora' | 'qlora';
  readonly seqLen: number;
  readonly batchSize: number;
  readonly loraRank: number;
  /** Unset: the plan decides (off when the run fits the memory without it, as a training run decides). */
  readonly gradientCheckpointing?: boolean | undefined;
  /** The card's memory to plan against (`gpu_memory_gb`); with maxVramGb the smaller wins. */
  readonly gpuMemoryBytes?: number | undefined;
  readonly maxVramGb?: number | undefined;
}

/** The model to plan for: a Hugging Face folder (its config.json is read), or a shape (a config.json is written). */
export type PlanModel = { readonly dir: string } | { readonly shape: Omit<ModelShape, 'parameters'>; readonly architecture?: string };

export interface VramPlan {
  readonly estimate: VramEstimateDto;
  /** Whether the plan fits the limit (gpuMemoryBytes / maxVramGb); true without one. */
  readonly withinLimit: boolean;
  /** The engine's settings that fit, as in its out_of_memory error; [] when within the limit. */
  readonly fits: readonly Record<string, unknown>[];
}

const MiB = 1024 * 1024;
const GiB = 1024 ** 3;
const PLAN_TIMEOUT_MS = 20_000;

function configJson(m: { shape: Omit<ModelShape, 'parameters'>; architecture?: string }): string {
  const s = m.shape;
  return JSON.stringify({
    architectures: [m.architecture ?? 'LlamaForCausalLM'],
    vocab_size: s.vocabSize,
    hidden_size: s.hiddenSize,
    intermediate_size: s.intermediateSize,
    num_hidden_layers: s.layers,
    num_attention_heads: s.heads,
    num_key_value_heads: s.kvHeads,
    head_dim: s.headDim,
    tie_word_embeddings: s.tieWordEmbeddings,
    hidden_act: 'silu',
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
  });
}

function runEngine(binary: string, configPath: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(binary, [configPath], { timeout: PLAN_TIMEOUT_MS, windowsHide: true }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The engine's plan for one run shape, or null when the engine is not built. Errors of the engine are thrown. */
export async function planVram(model: PlanModel, o: PlanOptions): Promise<VramPlan | null> {
  const binary = findEngineBinary();
  if (!binary) return null;
  const dir = await mkdtemp(path.join(tmpdir(), 'lathe-plan-'));
  try {
    let modelDir: string;
    if ('dir' in model) {
      modelDir = model.dir;
    } else {
      modelDir = path.join(dir, 'model');
      await mkdir(modelDir);
      await writeFile(path.join(modelDir, 'config.json'), configJson(model));
    }
    const config: Record<string, unknown> = {
      mode: 'plan',
      plan_for: 'cuda',
      model_dir: modelDir,
      per_device_train_batch_size: o.batchSize,
      cutoff_len: o.seqLen,
      lora_rank: o.loraRank,
      quantization_bit: o.method === 'qlora' ? 4 : 0,
    };
    if (o.gradientCheckpointing !== undefined) config.gradient_checkpointing = o.gradientCheckpointing;
    if (o.gpuMemoryBytes !== undefined) config.gpu_memory_gb = o.gpuMemoryBytes / GiB;
    if (o.maxVramGb !== undefined) config.max_vram_gb = o.maxVramGb;
    const configPath = path.join(dir, 'plan.json');
    await writeFile(configPath, JSON.stringify(config));
    const r = await runEngine(binary, configPath);
    const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const plan = events.find((e) => e.event === 'plan');
    if (r.code !== 0 || !plan) {
      const err = events.find((e) => e.event === 'error');
      const message = typeof err?.message === 'string' ? err.message : `the engine's memory plan failed (exit ${r.code}): ${r.stderr.slice(-500)}`;
      throw new LatheError('engine_error', `Cannot estimate GPU memory: ${message}`);
    }
    const bytes = (k: string) => Math.round(Number(plan[k] ?? 0) * MiB);
    const adapterBytes = bytes('adapter_mib');
    const estimate: VramEstimateDto = {
      method: o.method,
      seqLen: o.seqLen,
      batchSize: o.batchSize,
      gradientCheckpointing: plan.gradient_checkpointing === true,
      loraRank: o.loraRank,
      weightsBytes: bytes('weights_mib'),
      // A, B, their gradients and AdamW's two moments, fp32: 24 bytes per LoRA parameter (memory-plan.cpp)
      loraParams: Math.round(adapterBytes / 24),
      loraStateBytes: adapterBytes,
      activationBytes: bytes('activations_mib'),
      scratchBytes: bytes('scratch_mib'),
      overheadBytes: bytes('overhead_mib'),
      totalBytes: bytes('total_mib'),
      withoutCheckpointingBytes: bytes('without_checkpointing_mib'),
      withCheckpointingBytes: bytes('with_checkpointing_mib'),
    };
    const fits = Array.isArray(plan.fits) ? (plan.fits as Record<string, unknown>[]) : [];
    return { estimate, withinLimit: plan.within_limit !== false, fits };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
