// The curated list of recommended base models (data/models/curated.json) with approximate download sizes and the
// GPU memory each needs for LoRA and QLoRA (the engine's memory plan, main/models/engine-plan.ts), marked by what fits
// the detected GPU; null figures when the engine is not built.
import fs from 'node:fs';
import path from 'node:path';
import type { CuratedListDto, CuratedModelDto } from '../../preload/contract/library.js';
import { DATA_DIR } from '../app/repo-root.js';
import { planVram } from '../models/engine-plan.js';
import { parametersFromShape, type ModelShape } from '../models/model-shape.js';
import { fits, type GpuDetection } from './gpu-detect.js';

interface CuratedEntry {
  key: string;
  family: string;
  label: string;
  hf: string;
  modelscope: string | null;
  gated: boolean;
  kind: 'base' | 'instruct';
  shape: Omit<ModelShape, 'parameters'>;
}

/** The training shape the list's figures assume; the same defaults as the model card. */
export const CURATED_VRAM_SHAPE = { seqLen: 1024, batchSize: 1, loraRank: 16, gradientCheckpointing: true } as const;

/** Codes of the list's own sentences (the renderer has a `main.<code>` text for each; a test checks). */
export const CURATED_CODES = ['curated.assumptions'] as const;

export const CURATED_FILE = path.join(DATA_DIR, 'models', 'curated.json');

export function loadCurated(file = CURATED_FILE): { about: string; models: CuratedEntry[] } {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as { about: string; models: CuratedEntry[] };
}

/** The engine architecture whose config.json stands for a family's shape (Qwen2.5 has q/k/v biases, Qwen3 q/k norms). */
function architectureOf(family: string): string {
  if (family.startsWith('Qwen3')) return 'Qwen3ForCausalLM';
  if (family.startsWith('Qwen')) return 'Qwen2ForCausalLM';
  if (family.startsWith('Mistral')) return 'MistralForCausalLM';
  return 'LlamaForCausalLM';
}

export async function curatedList(detection: GpuDetection, file = CURATED_FILE): Promise<CuratedListDto> {
  const { seqLen, batchSize, loraRank } = CURATED_VRAM_SHAPE;
  const doc = loadCurated(file);
  const models: CuratedModelDto[] = [];
  for (const e of doc.models) {
    const parameters = parametersFromShape(e.shape);
    const shape: ModelShape = { ...e.shape, parameters };
    const model = { shape, architecture: architectureOf(e.family) };
    const lora = (await planVram(model, { ...CURATED_VRAM_SHAPE, method: 'lora' }))?.estimate.totalBytes ?? null;
    const qlora = (await planVram(model, { ...CURATED_VRAM_SHAPE, method: 'qlora' }))?.estimate.totalBytes ?? null;
    models.push({
      key: e.key,
      family: e.family,
      label: e.label,
      hf: e.hf,
      modelscope: e.modelscope,
      gated: e.gated,
      kind: e.kind,
      parameters,
      approxDownloadBytes: parameters * 2,
      vramLoraBytes: lora,
      vramQloraBytes: qlora,
      fits: { lora: fits(lora, detection.gpu), qlora: fits(qlora, detection.gpu) },
    });
  }
  return {
    gpu: detection.gpu,
    gpuNote: detection.note.message,
    gpuNoteCode: detection.note.code,
    gpuNoteParams: detection.note.params,
    assumptions: `Sequence length ${seqLen}, batch ${batchSize}, LoRA rank ${loraRank} on all linear layers, gradient checkpointing on.`,
    assumptionsCode: 'curated.assumptions' satisfies (typeof CURATED_CODES)[number],
    assumptionsParams: { seqLen, batchSize, loraRank },
    sourceNote: doc.about,
    models,
  };
}
