// Sensible defaults for a run from the model card and the machine: template from the model, cutoff from its context,
// and on a GPU the largest micro-batch (then QLoRA) whose memory plan fits (the engine's own plan, engine-plan.ts, so
// the app and the run agree); on the CPU, small and slow settings, said plainly. Also the preflight check: the plan of
// a given config against the GPU.
// Notes and warnings are notices (code + params + English text; codes in RUN_DEFAULTS_CODES).
import path from 'node:path';
import type { Notice } from '../../preload/contract/message-code.js';
import type { GpuInfo, RunConfigDraft, RunDefaultsDto } from '../../preload/contract/runs.js';
import { RunConfigDraft as RunConfigDraftSchema } from '../../preload/contract/runs.js';
import { DATA_DIR } from '../app/repo-root.js';
import { buildModelCard } from '../models/model-card.js';
import { planVram, type VramPlan } from '../models/engine-plan.js';

export const DEMO_MODEL = path.join(DATA_DIR, 'models', 'lathe-tiny-llama');
/**
 * The demo model evaluates every this many steps unless told otherwise: a first run on the demo dataset (10%
 * validation, a few dozen steps) then draws an eval-loss curve, not one point at the end, and evaluating the tiny
 * model costs next to nothing. Other models keep evalSteps 0 (evaluate at the end only), as the contract defaults.
 */
export const DEMO_EVAL_STEPS = 10;
/** Leave this share of GPU memory for the desktop, the driver and fragmentation. */
const USABLE_SHARE = 0.9;
const GiB = 1024 ** 3;

/** Every code of this file's notes and warnings (the renderer has a `main.<code>` text for each; a test checks). */
export const RUN_DEFAULTS_CODES = [
  'runDefaults.template',
  'runDefaults.cutoffGiven',
  'runDefaults.cutoffFromContext',
  'runDefaults.gpu',
  'runDefaults.qloraFits',
  'runDefaults.microBatch',
  'runDefaults.noGpu',
  'runDefaults.effectiveBatch',
  'runDefaults.wontFit',
  'runDefaults.cpuBigModel',
  'runDefaults.checkpointingOn',
  'runDefaults.noEngine',
] as const;
type RunDefaultsCode = (typeof RUN_DEFAULTS_CODES)[number];
const say = (code: RunDefaultsCode, params: Notice['params'], message: string): Notice => ({ code, params, message });

export async function runDefaults(o: { model?: string | undefined; config?: Partial<RunConfigDraft> | undefined; gpus: readonly GpuInfo[] }): Promise<RunDefaultsDto> {
  const model = path.resolve(o.model ?? o.config?.model ?? DEMO_MODEL);
  const card = await buildModelCard(model);
  const given = o.config ?? {};
  const notes: Notice[] = [];
  const warnings: Notice[] = [...card.warnings];
  const gpu = o.gpus[0];
  const cutoffLen = given.cutoffLen ?? Math.min(1024, card.contextLength || 1024);
  const loraRank = given.loraRank ?? 8;
  const template = given.template ?? card.proposedTemplate;
  notes.push(say('runDefaults.template', { template }, `Template ${template}: proposed from the model card.`));
  notes.push(
    given.cutoffLen
      ? say('runDefaults.cutoffGiven', { cutoffLen }, `cutoff_len ${cutoffLen}: as given.`)
      : say('runDefaults.cutoffFromContext', { cutoffLen, context: card.contextLength }, `cutoff_len ${cutoffLen}: the smaller of 1024 and the model's context (${card.contextLength}).`),
  );

  let batch = given.perDeviceTrainBatchSize ?? 1;
  let quantizationBit = given.quantizationBit;
  let estimatedBytes: number | null = null;
  // max_vram_gb caps what the engine may use (a smaller card simulated on this one).
  const capBytes = given.maxVramGb !== undefined ? given.maxVramGb * GiB : Infinity;
  const availableBytes = gpu ? Math.min(gpu.memoryBytes * USABLE_SHARE, capBytes) : null;
  // The engine's plan against the usable memory; checkpointing unset is decided by the plan as the run will decide it.
  const plan = (b: number, method: 'lora' | 'qlora'): Promise<VramPlan | null> =>
    planVram({ dir: model }, { method, seqLen: cutoffLen, batchSize: b, loraRank, gradientCheckpointing: given.gradientCheckpointing, gpuMemoryBytes: availableBytes ?? undefined });
  if (gpu && availableBytes !== null) {
    const gib = (gpu.memoryBytes / GiB).toFixed(1);
    notes.push(say('runDefaults.gpu', { name: gpu.name, gib }, `GPU: ${gpu.name}, ${gib} GiB.`));
    const first = await plan(given.perDeviceTrainBatchSize ?? 1, quantizationBit ? 'qlora' : 'lora');
    if (!first) {
      notes.push(say('runDefaults.noEngine', {}, 'No memory estimate: it comes from the training engine, which is not built (node scripts/build-native.mjs). Micro-batch 1.'));
    } else {
      if (given.perDeviceTrainBatchSize === undefined && given.quantizationBit === undefined) {
        batch = 1;
        for (const b of [8, 4, 2, 1]) {
          if ((await plan(b, 'lora'))?.withinLimit) {
            batch = b;
            break;
          }
        }
        if (!first.withinLimit && (await plan(1, 'qlora'))?.withinLimit) {
          quantizationBit = 4;
          notes.push(say('runDefaults.qloraFits', {}, 'LoRA does not fit in this GPU\'s memory; QLoRA (4-bit base weights) does.'));
        }
        const share = Math.round(USABLE_SHARE * 100);
        notes.push(say('runDefaults.microBatch', { batch, share }, `Micro-batch ${batch}: the largest whose memory plan fits in ${share}% of the GPU.`));
      }
      const chosen = await plan(batch, quantizationBit ? 'qlora' : 'lora');
      if (chosen) {
        estimatedBytes = chosen.estimate.totalBytes;
        if (given.gradientCheckpointing === undefined && chosen.estimate.gradientCheckpointing) {
          const without = (chosen.estimate.withoutCheckpointingBytes / GiB).toFixed(1);
          notes.push(say('runDefaults.checkpointingOn', { without }, `Gradient checkpointing: on, as the engine will decide — without it the run needs ${without} GiB.`));
        }
        if (!chosen.withinLimit) {
          const need = (estimatedBytes / GiB).toFixed(1);
          const have = (availableBytes / GiB).toFixed(1);
          warnings.push(say('runDefaults.wontFit', { need, have }, `This run will not fit: it needs about ${need} GiB and the GPU has ${have} GiB usable. Lower cutoff_len or the micro-batch, or use QLoRA.`));
        }
      }
    }
  } else {
    notes.push(say('runDefaults.noGpu', {}, 'No NVIDIA GPU found (nvidia-smi is missing or lists none): the run uses the CPU, which is only practical for small models such as the demo model.'));
    if (card.parameters > 1e9) {
      const billions = (card.parameters / 1e9).toFixed(1);
      warnings.push(say('runDefaults.cpuBigModel', { name: card.name, billions }, `${card.name} has ${billions}B parameters: on the CPU a single step may take minutes.`));
    }
  }
  const accumulation = given.gradientAccumulationSteps ?? Math.max(1, Math.floor(8 / batch));
  const effective = batch * accumulation;
  notes.push(say('runDefaults.effectiveBatch', { effective, batch, accumulation }, `Effective batch ${effective} (micro-batch ${batch} × accumulation ${accumulation}).`));
  const config = RunConfigDraftSchema.parse({
    datasets: [],
    template: card.proposedTemplate,
    device: gpu ? 'cuda' : 'cpu',
    ...given,
    model,
    cutoffLen,
    loraRank,
    perDeviceTrainBatchSize: batch,
    gradientAccumulationSteps: accumulation,
    ...(quantizationBit !== undefined ? { quantizationBit } : {}),
    ...(given.evalSteps === undefined && model === path.resolve(DEMO_MODEL) ? { evalSteps: DEMO_EVAL_STEPS } : {}),
  });
  return { config, device: gpu ? 'cuda' : 'cpu', gpus: [...o.gpus], estimatedBytes, availableBytes, notes, warnings };
}
