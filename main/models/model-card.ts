// Builds the model card shown before training: shape, parameters, dtype, chat template, base/instruct guess,
// proposed template and GPU memory estimates (the engine's memory plan, engine-plan.ts). Reads only JSON files and
// safetensors headers, and runs the engine in plan mode.
import type { Notice } from '../../preload/contract/message-code.js';
import type { ModelCardDto, VramEstimateDto } from '../../preload/contract/models.js';
import { proposeTemplate } from '../templates/template-proposal.js';
import { readModelFolder, tokenContent, type ModelFolder } from './model-folder.js';
import { guessModelKind } from './model-kind.js';
import { summariseSafetensors } from './safetensors-header.js';
import { planVram } from './engine-plan.js';
import { parametersFromShape, type ModelShape } from './model-shape.js';

/** Codes of the card's own warnings (the template proposal adds TEMPLATE_PROPOSAL_CODES); a test checks the texts. */
export const MODEL_CARD_CODES = ['model.noTokenizerJson', 'model.noSafetensors', 'model.noEngine'] as const;
type ModelCardCode = (typeof MODEL_CARD_CODES)[number];
const warn = (code: ModelCardCode, message: string): Notice => ({ code, params: {}, message });

export interface CardOptions {
  readonly seqLen?: number | undefined;
  readonly batchSize?: number | undefined;
  readonly loraRank?: number | undefined;
  readonly gradientCheckpointing?: boolean | undefined;
}

export function shapeOf(folder: ModelFolder, parameters: number): ModelShape {
  const c = folder.config;
  const hiddenSize = c.hidden_size ?? 0;
  const heads = c.num_attention_heads ?? 1;
  const shape = {
    layers: c.num_hidden_layers ?? 0,
    hiddenSize,
    intermediateSize: c.intermediate_size ?? 0,
    heads,
    kvHeads: c.num_key_value_heads ?? heads,
    headDim: c.head_dim ?? Math.floor(hiddenSize / heads),
    vocabSize: c.vocab_size ?? 0,
    tieWordEmbeddings: c.tie_word_embeddings ?? false,
  };
  return { ...shape, parameters: parameters > 0 ? parameters : parametersFromShape(shape) };
}

function idList(v: number | readonly number[] | undefined): number[] {
  if (v === undefined) return [];
  return typeof v === 'number' ? [v] : [...v];
}

export async function buildModelCard(dir: string, opts: CardOptions = {}): Promise<ModelCardDto> {
  const folder = await readModelFolder(dir);
  const weights = await summariseSafetensors(folder.path);
  const shape = shapeOf(folder, weights.parameters);
  const kind = guessModelKind(folder.name, folder.tokenizerConfig, folder.generationConfig, folder.chatTemplate);
  const proposal = proposeTemplate({
    chatTemplate: folder.chatTemplate,
    modelType: folder.config.model_type ?? '',
    architecture: folder.architecture,
    kind: kind.kind,
  });
  const warnings = [...proposal.notices];
  if (!folder.hasTokenizerJson) warnings.push(warn('model.noTokenizerJson', 'No tokenizer.json: Lathe needs the fast-tokenizer file to tokenize exactly like Hugging Face.'));
  if (weights.files.length === 0) warnings.push(warn('model.noSafetensors', 'No safetensors weights found: parameter count is computed from config.json.'));
  const vramOpts = {
    seqLen: opts.seqLen ?? 1024,
    batchSize: opts.batchSize ?? 1,
    loraRank: opts.loraRank ?? 16,
    gradientCheckpointing: opts.gradientCheckpointing ?? true,
  };
  const vram: VramEstimateDto[] = [];
  for (const method of ['lora', 'qlora'] as const) {
    const plan = await planVram({ dir: folder.path }, { ...vramOpts, method });
    if (plan) vram.push(plan.estimate);
  }
  if (vram.length === 0)
    warnings.push(warn('model.noEngine', 'No GPU memory estimate: it comes from the training engine, which is not built. Build it with: node scripts/build-native.mjs'));
  const c = folder.config;
  return {
    path: folder.path,
    name: folder.name,
    architecture: folder.architecture,
    modelType: c.model_type ?? '',
    layers: shape.layers,
    hiddenSize: shape.hiddenSize,
    intermediateSize: shape.intermediateSize,
    heads: shape.heads,
    kvHeads: shape.kvHeads,
    headDim: shape.headDim,
    vocabSize: shape.vocabSize,
    contextLength: c.max_position_embeddings ?? 0,
    tieWordEmbeddings: shape.tieWordEmbeddings,
    parameters: shape.parameters,
    dtype: weights.dtype || String(c.torch_dtype ?? c.dtype ?? ''),
    weightFiles: [...weights.files],
    weightBytes: weights.bytes,
    hasChatTemplate: folder.chatTemplate !== null,
    kind: kind.kind,
    kindReason: kind.reason,
    bosToken: tokenContent(folder.tokenizerConfig.bos_token),
    eosToken: tokenContent(folder.tokenizerConfig.eos_token),
    padToken: tokenContent(folder.tokenizerConfig.pad_token),
    tokenizerModel: folder.hasTokenizerJson ? 'tokenizer.json' : '',
    generationEosTokenIds: idList(folder.generationConfig.eos_token_id),
    proposedTemplate: proposal.template,
    warnings,
    vram,
  };
}
