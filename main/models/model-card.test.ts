import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModelCard } from './model-card.js';
import { estimateVram, loraParameters, parametersFromShape } from './vram-estimate.js';

function folder(config: object, extra: Record<string, object> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'lathe-model-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  for (const [name, v] of Object.entries(extra)) writeFileSync(join(dir, name), JSON.stringify(v));
  return dir;
}

const llama8b = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 4096, intermediate_size: 14336,
  num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 128256,
  max_position_embeddings: 131072, tie_word_embeddings: false, torch_dtype: 'bfloat16',
};

describe('model card', () => {
  it('refuses an unsupported architecture by name', async () => {
    const dir = folder({ architectures: ['GPT2LMHeadModel'] });
    await expect(buildModelCard(dir)).rejects.toMatchObject({ code: 'unsupported', message: 'not supported yet: GPT2LMHeadModel' });
  });

  it('computes Llama-3-8B parameters from the shape when there are no weights', async () => {
    const dir = folder(llama8b, {
      'tokenizer_config.json': { eos_token: '<|eot_id|>', bos_token: '<|begin_of_text|>', chat_template: '<|start_header_id|>{{x}}' },
    });
    const card = await buildModelCard(dir);
    expect(card.parameters).toBe(8_030_261_248);
    expect(card.kvHeads).toBe(8);
    expect(card.headDim).toBe(128);
    expect(card.kind).toBe('instruct');
    expect(card.kindReason).toEqual({ code: 'modelKind.chatEos', params: { eos: '<|eot_id|>' }, message: 'its EOS token <|eot_id|> ends a chat turn and it has a chat template' });
    expect(card.proposedTemplate).toBe('llama3');
    expect(card.dtype).toBe('bfloat16');
  });

  it('guesses a base model without a chat template and proposes default', async () => {
    const dir = folder({ ...llama8b, architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2' }, { 'tokenizer_config.json': { eos_token: '<|endoftext|>' } });
    const card = await buildModelCard(dir);
    expect(card.kind).toBe('base');
    expect(card.kindReason).toMatchObject({ code: 'modelKind.noChatTemplate', params: {} });
    expect(card.proposedTemplate).toBe('default');
  });
});

describe('vram estimate', () => {
  const shape = {
    layers: 32, hiddenSize: 4096, intermediateSize: 14336, heads: 32, kvHeads: 8, headDim: 128,
    vocabSize: 128256, tieWordEmbeddings: false,
  };
  const s = { ...shape, parameters: parametersFromShape(shape) };
  it('counts LoRA parameters on all seven projections (Llama-3-8B r=16 is 41.9M, as peft reports)', () => {
    expect(loraParameters(s, 16)).toBe(41_943_040);
  });
  it('QLoRA needs less than LoRA, checkpointing less than none', () => {
    const base = { seqLen: 2048, batchSize: 1, loraRank: 16, gradientCheckpointing: true } as const;
    const lora = estimateVram(s, { ...base, method: 'lora' });
    const qlora = estimateVram(s, { ...base, method: 'qlora' });
    const noCkpt = estimateVram(s, { ...base, method: 'lora', gradientCheckpointing: false });
    expect(lora.weightsBytes).toBe(s.parameters * 2);
    expect(qlora.totalBytes).toBeLessThan(lora.totalBytes);
    expect(noCkpt.activationBytes).toBeGreaterThan(lora.activationBytes * 10);
    expect(lora.totalBytes).toBe(lora.weightsBytes + lora.loraStateBytes + lora.activationBytes + lora.logitsBytes + lora.overheadBytes);
  });
});
