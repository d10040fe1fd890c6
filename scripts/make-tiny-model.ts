// Generates the tiny random-initialised Llama model (byte-level BPE tokenizer trained on a bundled support-
// ticket corpus, ChatML chat template, bf16 safetensors). A demo and test fixture: it is not a useful model.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../main/models/mulberry32.js';
import { trainByteLevelBpe, tokenizerJsonDocument } from '../main/tokenizer/bpe-trainer.js';
import { f32ToBf16Bytes, writeSafetensors, type TensorToWrite } from '../main/models/safetensors-writer.js';

const HIDDEN = 128;
const LAYERS = 4;
const HEADS = 4;
const KV_HEADS = 2;
const HEAD_DIM = HIDDEN / HEADS;
const INTERMEDIATE = 352;
const VOCAB = 4096;
const SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];

export const CHAT_TEMPLATE =
  "{%- for message in messages %}{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{%- endfor %}" +
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";


function normal(rand: () => number, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    // Box–Muller; 1 - u keeps log() finite.
    const u = 1 - rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** Synthetic tickets from phrase lists, so the BPE sees enough repetition to learn a few thousand merges. */
function syntheticTickets(rand: () => number, n: number): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const names = ['Anna', 'Ben', 'Chen Wei', 'Dmitri', 'Elena', 'Fatima', 'Grace', 'Hiro', 'Ivan', 'Julia', 'Li Na', 'Marco'];
  const products = ['the mobile app', 'the web dashboard', 'the desktop client', 'the REST API', 'the billing page', 'the export tool', 'the search', 'the team settings'];
  const problems = ['crashes on start', 'is very slow', 'shows a blank page', 'returns an error 500', 'logs me out every few minutes', 'does not save my changes', 'shows the wrong currency', 'cannot upload files larger than 10 MB'];
  const actions = ['clear the cache and sign in again', 'update to the latest version', 'check your network connection', 'disable the browser extension', 'reset your password', 'contact your administrator', 'send us the log file', 'try again in a few minutes'];
  const zhProducts = ['手机应用', '网页控制台', '桌面客户端', '开放接口', '账单页面', '导出工具', '搜索功能', '团队设置'];
  const zhProblems = ['启动时闪退', '运行非常慢', '显示空白页面', '返回 500 错误', '每隔几分钟就退出登录', '无法保存修改', '显示的币种不对', '无法上传超过 10 MB 的文件'];
  const zhActions = ['清除缓存后重新登录', '更新到最新版本', '检查网络连接', '停用浏览器插件', '重置密码', '联系您的管理员', '把日志文件发给我们', '过几分钟再试一次'];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = 3000 + i;
    if (rand() < 0.5) {
      out.push(
        `Ticket #${id}: Hello, this is ${pick(names)}. Since yesterday ${pick(products)} ${pick(problems)}. Can you help?\n` +
          `Hi ${pick(names)}, thank you for contacting support. Please ${pick(actions)}. If ${pick(products)} still ${pick(problems)}, reply to this ticket and we will escalate it.`,
      );
    } else {
      out.push(
        `工单 #${id}：您好，我是${pick(names)}。从昨天开始${pick(zhProducts)}${pick(zhProblems)}，请问怎么解决？\n` +
          `${pick(names)}您好，感谢您联系客服。请您${pick(zhActions)}。如果${pick(zhProducts)}仍然${pick(zhProblems)}，请直接回复此工单，我们会尽快处理。`,
      );
    }
  }
  return out;
}

/** Random sentences over the glossary words, so every word appears often enough to become a token. */
function glossarySentences(rand: () => number, words: readonly string[], sep: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = 4 + Math.floor(rand() * 8);
    const ws: string[] = [];
    for (let k = 0; k < len; k++) ws.push(words[Math.floor(rand() * words.length)] as string);
    const s = ws.join(sep);
    out.push(sep === ' ' ? s[0]!.toUpperCase() + s.slice(1) + (rand() < 0.8 ? '.' : '?') : s + (rand() < 0.8 ? '。' : '？'));
  }
  return out;
}

export async function main(args: string[]): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  // The bundled runner lives in a temp dir: find the repo from the working directory instead.
  const repo = resolve(args[0] ?? process.cwd());
  const outDir = join(repo, 'data/models/lathe-tiny-llama');
  void here;
  mkdirSync(outDir, { recursive: true });
  const corpus = readFileSync(join(repo, 'scripts/make-tiny-model.corpus.txt'), 'utf8');
  const rand = mulberry32(20241128);
  const [prose = '', glossary = ''] = corpus.split('## glossary-en\n');
  const [en = '', zh = ''] = glossary.split('## glossary-zh\n');
  const texts = [
    ...prose.split('\n'),
    ...syntheticTickets(rand, 4000),
    ...glossarySentences(rand, en.trim().split(/\s+/), ' ', 6000),
    ...glossarySentences(rand, zh.trim().split(/\s+/), '', 6000),
  ];
  const tok = trainByteLevelBpe({ texts, vocabSize: VOCAB, minFrequency: 2, specialTokens: SPECIALS });
  writeFileSync(join(outDir, 'tokenizer.json'), tokenizerJsonDocument(tok));
  const vocab = Object.keys((tok.model as { vocab: object }).vocab).length + SPECIALS.length;
  const idOf = (t: string) => tok.added_tokens!.find((a) => a.content === t)!.id;

  const addedDecoder: Record<string, object> = {};
  for (const a of tok.added_tokens!) {
    addedDecoder[String(a.id)] = { content: a.content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true };
  }
  const json = (o: object) => JSON.stringify(o, null, 2) + '\n';
  writeFileSync(
    join(outDir, 'tokenizer_config.json'),
    json({
      add_bos_token: false, add_eos_token: false, add_prefix_space: false, added_tokens_decoder: addedDecoder,
      additional_special_tokens: ['<|im_start|>', '<|im_end|>'], bos_token: null, chat_template: CHAT_TEMPLATE,
      clean_up_tokenization_spaces: false, eos_token: '<|im_end|>', errors: 'replace', model_max_length: 2048,
      pad_token: '<|endoftext|>', split_special_tokens: false, tokenizer_class: 'PreTrainedTokenizerFast', unk_token: null,
    }),
  );
  writeFileSync(
    join(outDir, 'generation_config.json'),
    json({ eos_token_id: [idOf('<|im_end|>'), idOf('<|endoftext|>')], pad_token_id: idOf('<|endoftext|>'), do_sample: false, max_new_tokens: 256, transformers_version: '4.46.0' }),
  );
  writeFileSync(
    join(outDir, 'config.json'),
    json({
      architectures: ['LlamaForCausalLM'], model_type: 'llama', attention_bias: false, attention_dropout: 0.0,
      bos_token_id: null, eos_token_id: idOf('<|im_end|>'), pad_token_id: idOf('<|endoftext|>'), head_dim: HEAD_DIM,
      hidden_act: 'silu', hidden_size: HIDDEN, initializer_range: 0.02, intermediate_size: INTERMEDIATE,
      max_position_embeddings: 2048, mlp_bias: false, num_attention_heads: HEADS, num_hidden_layers: LAYERS,
      num_key_value_heads: KV_HEADS, pretraining_tp: 1, rms_norm_eps: 1e-5, rope_scaling: null, rope_theta: 10000.0,
      tie_word_embeddings: false, torch_dtype: 'bfloat16', transformers_version: '4.46.0', use_cache: true, vocab_size: vocab,
    }),
  );

  const wrand = mulberry32(1234);
  const tensors: TensorToWrite[] = [];
  const add = (name: string, shape: number[], init: 'normal' | 'ones') => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = init === 'ones' ? new Float32Array(n).fill(1) : normal(wrand, n, 0.02);
    tensors.push({ name, dtype: 'BF16', shape, data: f32ToBf16Bytes(v) });
  };
  add('model.embed_tokens.weight', [vocab, HIDDEN], 'normal');
  for (let l = 0; l < LAYERS; l++) {
    const p = `model.layers.${l}.`;
    add(p + 'input_layernorm.weight', [HIDDEN], 'ones');
    add(p + 'self_attn.q_proj.weight', [HEADS * HEAD_DIM, HIDDEN], 'normal');
    add(p + 'self_attn.k_proj.weight', [KV_HEADS * HEAD_DIM, HIDDEN], 'normal');
    add(p + 'self_attn.v_proj.weight', [KV_HEADS * HEAD_DIM, HIDDEN], 'normal');
    add(p + 'self_attn.o_proj.weight', [HIDDEN, HEADS * HEAD_DIM], 'normal');
    add(p + 'post_attention_layernorm.weight', [HIDDEN], 'ones');
    add(p + 'mlp.gate_proj.weight', [INTERMEDIATE, HIDDEN], 'normal');
    add(p + 'mlp.up_proj.weight', [INTERMEDIATE, HIDDEN], 'normal');
    add(p + 'mlp.down_proj.weight', [HIDDEN, INTERMEDIATE], 'normal');
  }
  add('model.norm.weight', [HIDDEN], 'ones');
  add('lm_head.weight', [vocab, HIDDEN], 'normal');
  writeSafetensors(join(outDir, 'model.safetensors'), tensors, { format: 'pt' });
  process.stderr.write(`wrote ${outDir}: vocab ${vocab}, ${tensors.length} tensors\n`);
}
