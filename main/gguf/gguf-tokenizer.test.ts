// Tokenizer metadata we write, read back by llama.cpp's own tokenizer: the token ids it produces for the parity
// cases (made with Python `tokenizers`, test/fixtures/tokenizer) must be the ones training used.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MergedWeights } from '../export/merged-weights.js';
import { writeSafetensors, type TensorToWrite } from '../models/safetensors-writer.js';
import { writeGguf } from './gguf-export.js';
import { openGguf } from './llama-cpp-runner.js';
import { preTokenizerName } from './gguf-tokenizer.js';

const work = mkdtempSync(join(tmpdir(), 'lathe-ggtok-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'tokenizer');

interface Fixture {
  tokenizer: { model: { vocab: Record<string, number> }; added_tokens?: { id: number; content: string }[]; pre_tokenizer?: unknown };
  cases: { text: string; ids: number[] }[];
}

/** A one-layer random Llama around a tokenizer: only the vocabulary matters here. */
function modelWith(name: string, f: Fixture, specials: { bos?: string; eos: string }): string {
  const dir = join(work, name);
  mkdirSync(dir);
  let maxId = 0;
  for (const id of Object.values(f.tokenizer.model.vocab)) maxId = Math.max(maxId, id);
  for (const t of f.tokenizer.added_tokens ?? []) maxId = Math.max(maxId, t.id);
  const V = maxId + 1, C = 64, I = 128;
  const m = (r: number, c: number) => new Uint8Array(Float32Array.from({ length: r * c }, (_, i) => Math.sin(i) * 0.02).buffer);
  const t: TensorToWrite[] = [
    { name: 'model.embed_tokens.weight', dtype: 'F32', shape: [V, C], data: m(V, C) },
    { name: 'model.norm.weight', dtype: 'F32', shape: [C], data: m(1, C) },
    { name: 'lm_head.weight', dtype: 'F32', shape: [V, C], data: m(V, C) },
    { name: 'model.layers.0.input_layernorm.weight', dtype: 'F32', shape: [C], data: m(1, C) },
    { name: 'model.layers.0.post_attention_layernorm.weight', dtype: 'F32', shape: [C], data: m(1, C) },
    { name: 'model.layers.0.self_attn.q_proj.weight', dtype: 'F32', shape: [C, C], data: m(C, C) },
    { name: 'model.layers.0.self_attn.k_proj.weight', dtype: 'F32', shape: [32, C], data: m(32, C) },
    { name: 'model.layers.0.self_attn.v_proj.weight', dtype: 'F32', shape: [32, C], data: m(32, C) },
    { name: 'model.layers.0.self_attn.o_proj.weight', dtype: 'F32', shape: [C, C], data: m(C, C) },
    { name: 'model.layers.0.mlp.gate_proj.weight', dtype: 'F32', shape: [I, C], data: m(I, C) },
    { name: 'model.layers.0.mlp.up_proj.weight', dtype: 'F32', shape: [I, C], data: m(I, C) },
    { name: 'model.layers.0.mlp.down_proj.weight', dtype: 'F32', shape: [C, I], data: m(C, I) },
  ];
  writeSafetensors(join(dir, 'model.safetensors'), t);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], hidden_size: C, intermediate_size: I, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, head_dim: 32, vocab_size: V, rms_norm_eps: 1e-5, rope_theta: 10000, max_position_embeddings: 256 }));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(f.tokenizer));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ bos_token: specials.bos ?? null, eos_token: specials.eos }));
  return dir;
}

const STYLES: [string, string, { bos?: string; eos: string }, string][] = [
  ['qwen2', 'gpt2', { eos: '<|im_end|>' }, 'qwen2'],
  ['llama3', 'gpt2', { bos: '<|begin_of_text|>', eos: '<|eot_id|>' }, 'llama-bpe'],
  ['llama2', 'llama', { bos: '<s>', eos: '</s>' }, 'default'],
];

describe('GGUF tokenizer metadata through llama.cpp', () => {
  for (const [style, model, specials, pre] of STYLES) {
    it(`${style}: llama.cpp tokenizes the parity cases as Python tokenizers did`, async () => {
      const f = JSON.parse(readFileSync(join(FIXTURES, `${style}.json`), 'utf8')) as Fixture;
      if (model === 'gpt2') expect(preTokenizerName(f.tokenizer.pre_tokenizer)).toBe(pre);
      const dir = modelWith(style, f, specials);
      const w = await MergedWeights.open(dir, null);
      await writeGguf(w, dir, join(dir, 'm.gguf'), { preset: 'f32', name: style, eosToken: null, chatTemplate: null });
      await w.close();
      const s = await openGguf(join(dir, 'm.gguf'));
      const md = (await s.metadata()) as { tokenizer: { ggml: { model: string; pre: string } } };
      expect(md.tokenizer.ggml.model).toBe(model);
      let same = 0;
      const bad: string[] = [];
      for (const c of f.cases) {
        const got = s.tokenize(c.text);
        // llama.cpp has no Unicode normaliser: texts that NFC changes (combining accents) differ under Qwen2's NFC.
        const nfcGap = JSON.stringify(f.tokenizer).includes('"NFC"') && c.text.normalize('NFC') !== c.text;
        if (JSON.stringify(got) === JSON.stringify(c.ids) || nfcGap) same++;
        else bad.push(`${JSON.stringify(c.text)}: ${JSON.stringify(got)} vs ${JSON.stringify(c.ids)}`);
      }
      await s.close();
      expect(bad.slice(0, 3), `${same}/${f.cases.length} agree`).toEqual([]);
    });
  }
});
