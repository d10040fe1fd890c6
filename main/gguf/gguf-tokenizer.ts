// GGUF tokenizer metadata (tokenizer.ggml.*) from a Hugging Face tokenizer.json + tokenizer_config.json: the
// token list in id order, token types, BPE merges, special ids, llama.cpp's pre-tokenizer name and the chat
// template. Byte-level BPE ("gpt2") and SentencePiece-style BPE ("llama"); Unigram and WordPiece are refused.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';
import { GgufTokenType } from './gguf-types.js';
import { meta, type GgufMetaValue } from './gguf-writer.js';

interface AddedToken {
  id: number;
  content: string;
  special?: boolean;
}

interface TokenizerJson {
  model: { type: string; vocab: Record<string, number>; merges?: (string | [string, string])[]; byte_fallback?: boolean };
  added_tokens?: AddedToken[];
  pre_tokenizer?: unknown;
  normalizer?: unknown;
  decoder?: unknown;
  post_processor?: unknown;
}

/**
 * llama.cpp names each pre-tokenizer it implements (`tokenizer.ggml.pre`); convert_hf_to_gguf picks the name by
 * hashing a test tokenisation. We recognise the split regexes of the families Lathe supports instead.
 */
export function preTokenizerName(preTokenizer: unknown): string {
  const text = JSON.stringify(preTokenizer ?? null);
  if (text.includes('\\\\p{N}{1,3}') && text.includes("(?i:'s|'t|'re|'ve|'m|'ll|'d)")) return 'llama-bpe';
  if (text.includes("(?i:'s|'t|'re|'ve|'m|'ll|'d)") && text.includes('|\\\\p{N}|')) return 'qwen2';
  if (text.includes("'s|'t|'re|'ve|'m|'ll|'d| ?\\\\p{L}+| ?\\\\p{N}+")) return 'gpt-2';
  if (text === 'null' || text.includes('"ByteLevel"')) return text.includes('"use_regex":true') ? 'gpt-2' : 'default';
  return 'default';
}

function tokenText(t: string | { content?: string } | null | undefined): string | null {
  if (typeof t === 'string') return t;
  return t?.content ?? null;
}

export interface TokenizerMetaResult {
  readonly entries: [string, GgufMetaValue][];
  readonly model: 'gpt2' | 'llama';
  readonly pre: string;
  readonly tokens: readonly string[];
  readonly eosId: number | null;
  readonly bosId: number | null;
  readonly warnings: string[];
}

export async function tokenizerMetadata(
  modelDir: string,
  vocabSize: number,
  opts: { readonly eosToken: string | null; readonly chatTemplate: string | null; readonly extraEosIds?: readonly number[] },
): Promise<TokenizerMetaResult> {
  const path = join(modelDir, 'tokenizer.json');
  if (!existsSync(path)) throw new LatheError('unsupported', `${modelDir} has no tokenizer.json: GGUF export needs the fast tokenizer file.`, { path });
  const tok = JSON.parse(await readFile(path, 'utf8')) as TokenizerJson;
  const tc = existsSync(join(modelDir, 'tokenizer_config.json'))
    ? (JSON.parse(await readFile(join(modelDir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>)
    : {};
  if (tok.model.type !== 'BPE') throw new LatheError('unsupported', `GGUF export supports BPE tokenizers; this one is ${tok.model.type}.`, { path });
  const warnings: string[] = [];
  const byteLevel = JSON.stringify(tok.pre_tokenizer ?? null).includes('ByteLevel') || JSON.stringify(tok.decoder ?? null).includes('ByteLevel');
  const model: 'gpt2' | 'llama' = byteLevel ? 'gpt2' : 'llama';
  const added = new Map<number, AddedToken>((tok.added_tokens ?? []).map((t) => [t.id, t]));
  let maxId = vocabSize - 1;
  for (const id of Object.values(tok.model.vocab)) maxId = Math.max(maxId, id);
  for (const id of added.keys()) maxId = Math.max(maxId, id);
  const n = maxId + 1;
  const tokens: string[] = new Array(n);
  const types: number[] = new Array(n).fill(GgufTokenType.UNUSED);
  const scores: number[] = new Array(n).fill(0);
  for (const [text, id] of Object.entries(tok.model.vocab)) {
    tokens[id] = text;
    types[id] = model === 'llama' && /^<0x[0-9A-F]{2}>$/.test(text) ? GgufTokenType.BYTE : GgufTokenType.NORMAL;
    // SentencePiece BPE pieces are stored in merge order; llama.cpp merges the highest score first.
    scores[id] = -id;
  }
  for (const [id, t] of added) {
    tokens[id] = t.content;
    types[id] = t.special ? GgufTokenType.CONTROL : GgufTokenType.USER_DEFINED;
  }
  for (let i = 0; i < n; i++) {
    if (tokens[i] === undefined) {
      tokens[i] = `[PAD${i}]`;
      types[i] = GgufTokenType.UNUSED;
    }
  }
  const idOf = (text: string | null): number | null => {
    if (text === null) return null;
    for (const [id, t] of added) if (t.content === text) return id;
    return tok.model.vocab[text] ?? null;
  };
  const bosText = tokenText(tc.bos_token as string | null);
  const eosText = opts.eosToken ?? tokenText(tc.eos_token as string | null);
  const bosId = idOf(bosText);
  const eosId = idOf(eosText);
  const padId = idOf(tokenText(tc.pad_token as string | null));
  const unkId = idOf(tokenText(tc.unk_token as string | null) ?? (model === 'llama' ? '<unk>' : null));
  const postProcessor = JSON.stringify(tok.post_processor ?? null);
  const addBos = typeof tc.add_bos_token === 'boolean' ? tc.add_bos_token : bosText !== null && postProcessor.includes('TemplateProcessing') && postProcessor.includes(JSON.stringify(bosText));
  const pre = model === 'gpt2' ? preTokenizerName(tok.pre_tokenizer) : 'default';
  if (model === 'gpt2' && pre === 'default') warnings.push('The pre-tokenizer is not one llama.cpp names; it will split text its default way, which can differ from training.');
  const entries: [string, GgufMetaValue][] = [
    ['tokenizer.ggml.model', meta.str(model)],
    ['tokenizer.ggml.pre', meta.str(pre)],
    ['tokenizer.ggml.tokens', meta.strs(tokens)],
    ['tokenizer.ggml.token_type', meta.i32s(types)],
  ];
  if (model === 'llama') entries.push(['tokenizer.ggml.scores', meta.f32s(scores)]);
  if (model === 'gpt2') {
    const merges = (tok.model.merges ?? []).map((m) => (Array.isArray(m) ? `${m[0]} ${m[1]}` : m));
    entries.push(['tokenizer.ggml.merges', meta.strs(merges)]);
  }
  if (bosId !== null) entries.push(['tokenizer.ggml.bos_token_id', meta.u32(bosId)]);
  if (eosId !== null) entries.push(['tokenizer.ggml.eos_token_id', meta.u32(eosId)]);
  if (padId !== null) entries.push(['tokenizer.ggml.padding_token_id', meta.u32(padId)]);
  if (unkId !== null) entries.push(['tokenizer.ggml.unknown_token_id', meta.u32(unkId)]);
  entries.push(['tokenizer.ggml.add_bos_token', meta.bool(addBos)]);
  entries.push(['tokenizer.ggml.add_eos_token', meta.bool(tc.add_eos_token === true)]);
  const chat = opts.chatTemplate ?? (typeof tc.chat_template === 'string' ? tc.chat_template : null);
  if (chat) entries.push(['tokenizer.chat_template', meta.str(chat)]);
  return { entries, model, pre, tokens, eosId, bosId, warnings };
}
