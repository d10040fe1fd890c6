// The `models` domain: inspecting a local Hugging Face model folder and estimating its VRAM for LoRA/QLoRA.
// Types and zod schemas only; reading folders is main/models' job.
import { z } from 'zod';
import type { DomainContract } from './define.js';
import { Notice } from './message-code.js';

export const SUPPORTED_ARCHITECTURES = ['LlamaForCausalLM', 'Qwen2ForCausalLM', 'Qwen3ForCausalLM', 'MistralForCausalLM'] as const;
export type SupportedArchitecture = (typeof SUPPORTED_ARCHITECTURES)[number];

export const VramEstimateDto = z.object({
  method: z.enum(['lora', 'qlora']),
  seqLen: z.number().int(),
  batchSize: z.number().int(),
  /** As given, else as the engine's plan decides (on only when the run does not fit the GPU without it). */
  gradientCheckpointing: z.boolean(),
  loraRank: z.number().int(),
  /**
   * The engine's memory plan (lathe-engine plan mode, CUDA storage rules), in bytes; `total` is the sum of weights,
   * LoRA state, activations, scratch and overhead (the 1 GiB CUDA-context margin).
   */
  weightsBytes: z.number(),
  loraParams: z.number(),
  loraStateBytes: z.number(),
  activationBytes: z.number(),
  scratchBytes: z.number(),
  overheadBytes: z.number(),
  totalBytes: z.number(),
  /** The same run's total with gradient checkpointing off and on. */
  withoutCheckpointingBytes: z.number(),
  withCheckpointingBytes: z.number(),
});
export type VramEstimateDto = Readonly<z.infer<typeof VramEstimateDto>>;

export const ModelCardDto = z.object({
  path: z.string(),
  name: z.string(),
  architecture: z.string(),
  modelType: z.string(),
  layers: z.number().int(),
  hiddenSize: z.number().int(),
  intermediateSize: z.number().int(),
  heads: z.number().int(),
  kvHeads: z.number().int(),
  headDim: z.number().int(),
  vocabSize: z.number().int(),
  contextLength: z.number().int(),
  tieWordEmbeddings: z.boolean(),
  /** From the safetensors headers; 0 when the folder has no weights. */
  parameters: z.number(),
  /** Dominant safetensors dtype (e.g. 'BF16'), else config's torch_dtype. */
  dtype: z.string(),
  weightFiles: z.array(z.string()),
  weightBytes: z.number(),
  hasChatTemplate: z.boolean(),
  kind: z.enum(['base', 'instruct']),
  kindReason: Notice,
  bosToken: z.string().nullable(),
  eosToken: z.string().nullable(),
  padToken: z.string().nullable(),
  tokenizerModel: z.string(),
  generationEosTokenIds: z.array(z.number().int()),
  proposedTemplate: z.string(),
  warnings: z.array(Notice),
  vram: z.array(VramEstimateDto),
});
export type ModelCardDto = Readonly<z.infer<typeof ModelCardDto>>;

const Path = z.string().min(1, 'A model folder is required.');

export const InspectModelRequest = z
  .object({
    path: Path,
    /** The VRAM estimate's shape; defaults seqLen 1024, batch 1, rank 16, checkpointing on. */
    seqLen: z.number().int().positive().max(1_048_576).optional(),
    batchSize: z.number().int().positive().max(4096).optional(),
    loraRank: z.number().int().positive().max(1024).optional(),
    gradientCheckpointing: z.boolean().optional(),
  })
  .strict();
export type InspectModelRequest = z.infer<typeof InspectModelRequest>;

export const EstimateVramRequest = InspectModelRequest.extend({ method: z.enum(['lora', 'qlora']) }).strict();
export type EstimateVramRequest = z.infer<typeof EstimateVramRequest>;

export const DefaultModelRequest = z.object({}).strict();
export type DefaultModelRequest = z.infer<typeof DefaultModelRequest>;

export interface IModelsService {
  inspect(request: InspectModelRequest): Promise<ModelCardDto>;
  estimateVram(request: EstimateVramRequest): Promise<VramEstimateDto>;
  /** The embedded demo model (data/models/lathe-tiny-llama), the app's default. */
  defaultModel(request: DefaultModelRequest): Promise<ModelCardDto>;
}

export const modelsContract = {
  name: 'models',
  requests: { inspect: InspectModelRequest, estimateVram: EstimateVramRequest, defaultModel: DefaultModelRequest },
  events: {},
} as const satisfies DomainContract<IModelsService>;
