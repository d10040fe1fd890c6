// The engine's JSON config for a training run (native/docs/protocol.md key names, LLaMA-Factory-style) from a
// RunConfig plus where the prepared data and outputs live. Pure; the execution writes it to engine.json.
import path from 'node:path';
import type { RunConfig } from '../../preload/contract/runs.js';

export interface EnginePaths {
  readonly trainFile: string;
  readonly evalFile: string | null;
  readonly outputDir: string;
  readonly resumeFrom: string | null;
}

/** The engine takes auto, cpu or cuda:N (docs/protocol.md); a bare `cuda` means the first GPU. */
export function engineDevice(device: string): string {
  return device === 'cuda' ? 'cuda:0' : device;
}

export function buildEngineConfig(c: RunConfig, p: EnginePaths): Record<string, unknown> {
  const out: Record<string, unknown> = {
    mode: 'train',
    model_dir: path.resolve(c.model),
    train_file: p.trainFile,
    output_dir: p.outputDir,
    device: engineDevice(c.device),
    lora_rank: c.loraRank,
    // LLaMA-Factory: lora_alpha defaults to twice the rank.
    lora_alpha: c.loraAlpha ?? c.loraRank * 2,
    lora_dropout: c.loraDropout,
    lora_target: c.loraTarget,
    use_rslora: c.useRslora,
    learning_rate: c.learningRate,
    num_train_epochs: c.numTrainEpochs,
    max_steps: c.maxSteps ?? -1,
    per_device_train_batch_size: c.perDeviceTrainBatchSize,
    gradient_accumulation_steps: c.gradientAccumulationSteps,
    cutoff_len: c.cutoffLen,
    lr_scheduler_type: c.lrSchedulerType,
    warmup_ratio: c.warmupRatio,
    save_steps: c.saveSteps,
    eval_steps: c.evalSteps,
    logging_steps: c.loggingSteps,
    seed: c.seed,
    max_grad_norm: c.maxGradNorm,
    weight_decay: c.weightDecay,
    packing: c.packing,
    // QLoRA: frozen weights as NF4 with double quantisation (native/docs/protocol.md).
    ...(c.quantizationBit !== undefined ? { quantization_bit: c.quantizationBit } : {}),
    // Omitted: the engine's memory plan decides (off when the run fits without it).
    ...(c.gradientCheckpointing !== undefined ? { gradient_checkpointing: c.gradientCheckpointing } : {}),
    ...(c.maxVramGb !== undefined ? { max_vram_gb: c.maxVramGb } : {}),
    // If this process dies, the engine's stdin closes: it then stops with a checkpoint the next start resumes from.
    stop_on_stdin_eof: true,
  };
  if (p.evalFile) out.eval_file = p.evalFile;
  if (c.adapterFrom && !p.resumeFrom) out.adapter_dir = path.resolve(c.adapterFrom);
  if (p.resumeFrom) out.resume_from = p.resumeFrom;
  if (c.debug?.nanAtStep !== undefined) out.debug_nan_at_step = c.debug.nanAtStep;
  if (c.debug?.stopAfterSteps !== undefined) out.stop_after_steps = c.debug.stopAfterSteps;
  return out;
}
