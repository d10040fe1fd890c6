import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModelCard } from './model-card.js';

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

describe('the card\'s GPU memory estimates', () => {
  it('are the engine\'s plan for LoRA and QLoRA at the card\'s shape (seq 1024, batch 1, rank 16, checkpointing on)', async () => {
    const dir = folder({ architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 64, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-5 });
    const card = await buildModelCard(dir);
    expect(card.vram.map((v) => v.method)).toEqual(['lora', 'qlora']);
    for (const v of card.vram) {
      expect(v).toMatchObject({ seqLen: 1024, batchSize: 1, loraRank: 16, gradientCheckpointing: true, overheadBytes: 1024 ** 3 });
      expect(Math.abs(v.totalBytes - (v.weightsBytes + v.loraStateBytes + v.activationBytes + v.scratchBytes + v.overheadBytes))).toBeLessThanOrEqual(4); // MiB → bytes, rounded per part
      expect(v.withoutCheckpointingBytes).toBeGreaterThan(v.totalBytes);
    }
    expect(card.warnings.map((w) => w.code)).not.toContain('model.noEngine');
  });
});
