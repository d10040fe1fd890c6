// Writes a random Llama-shaped base model (bf16 safetensors, sharded like transformers) and a PEFT LoRA adapter
// (r16, all linear) for trying merge-bench without Python. Streams one tensor at a time. Not a test fixture.
//   npx esbuild scripts/bench/merge-bench-fixture.ts --bundle --platform=node --format=esm --outfile=/tmp/mbf.mjs
//   node /tmp/mbf.mjs OUT_DIR [small|llama3.2-1b|llama3-8b]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f32ToBf16 } from '../../main/export/half-float.js';
import { planShards, ShardWriter, writeShardIndex, type PlannedTensor } from '../../main/export/safetensors-sharder.js';
import { writeSafetensors, type TensorToWrite } from '../../main/models/safetensors-writer.js';

const SHAPES = {
  small: { C: 1024, I: 4096, L: 4, H: 16, KV: 4, V: 32000 },
  'llama3.2-1b': { C: 2048, I: 8192, L: 16, H: 32, KV: 8, V: 128256 },
  'llama3-8b': { C: 4096, I: 14336, L: 32, H: 32, KV: 8, V: 128256 },
};
const [out, shapeName = 'small'] = process.argv.slice(2);
const s = SHAPES[shapeName as keyof typeof SHAPES];
if (!out || !s) throw new Error('usage: OUT_DIR [small|llama3.2-1b|llama3-8b]');
const D = s.C / s.H;
let seed = 1;
const rand = (n: number, std: number) => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    a[i] = (seed / 4294967296 - 0.5) * std * 3.46;
  }
  return a;
};
const dims: Record<string, [number, number]> = {
  'self_attn.q_proj': [s.H * D, s.C], 'self_attn.k_proj': [s.KV * D, s.C], 'self_attn.v_proj': [s.KV * D, s.C], 'self_attn.o_proj': [s.C, s.H * D],
  'mlp.gate_proj': [s.I, s.C], 'mlp.up_proj': [s.I, s.C], 'mlp.down_proj': [s.C, s.I],
};
const tensors: PlannedTensor[] = [{ name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [s.V, s.C] }];
for (let l = 0; l < s.L; l++) {
  tensors.push({ name: `model.layers.${l}.input_layernorm.weight`, dtype: 'BF16', shape: [s.C] }, { name: `model.layers.${l}.post_attention_layernorm.weight`, dtype: 'BF16', shape: [s.C] });
  for (const [m, shape] of Object.entries(dims)) tensors.push({ name: `model.layers.${l}.${m}.weight`, dtype: 'BF16', shape });
}
tensors.push({ name: 'model.norm.weight', dtype: 'BF16', shape: [s.C] }, { name: 'lm_head.weight', dtype: 'BF16', shape: [s.V, s.C] });
const base = join(out, 'base');
mkdirSync(base, { recursive: true });
const shards = planShards(tensors, 5e9);
for (const shard of shards) {
  const w = await ShardWriter.create(base, shard);
  for (const t of shard.tensors) {
    const rows = t.shape[0]!;
    const cols = t.shape[1] ?? 1;
    const step = Math.max(1, Math.floor(2 ** 22 / cols));
    for (let r = 0; r < rows; r += step) {
      const n = Math.min(step, rows - r) * cols;
      const v = t.shape.length === 1 ? new Float32Array(n).fill(1) : rand(n, 0.02);
      await w.write(t.name, new Uint8Array(f32ToBf16(v).buffer));
    }
  }
  await w.close();
}
await writeShardIndex(base, shards);
writeFileSync(join(base, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: s.C, intermediate_size: s.I, num_hidden_layers: s.L, num_attention_heads: s.H, num_key_value_heads: s.KV, vocab_size: s.V, rms_norm_eps: 1e-5, rope_theta: 500000, max_position_embeddings: 8192, tie_word_embeddings: false, torch_dtype: 'bfloat16' }));
const ad: TensorToWrite[] = [];
for (let l = 0; l < s.L; l++)
  for (const [m, [o, i]] of Object.entries(dims)) {
    ad.push({ name: `base_model.model.model.layers.${l}.${m}.lora_A.weight`, dtype: 'F32', shape: [16, i], data: new Uint8Array(rand(16 * i, 0.02).buffer) });
    ad.push({ name: `base_model.model.model.layers.${l}.${m}.lora_B.weight`, dtype: 'F32', shape: [o, 16], data: new Uint8Array(rand(o * 16, 0.02).buffer) });
  }
mkdirSync(join(out, 'adapter'), { recursive: true });
writeSafetensors(join(out, 'adapter', 'adapter_model.safetensors'), ad);
writeFileSync(join(out, 'adapter', 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 16, lora_alpha: 32, target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], task_type: 'CAUSAL_LM' }));
process.stdout.write(`wrote ${base} and ${join(out, 'adapter')}\n`);
