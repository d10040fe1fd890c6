// The small files of an exported model folder: config.json (dtype), tokenizer files copied from the base, the
// training template as `chat_template` with its EOS in tokenizer_config.json / generation_config.json. No weights.
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatTemplateOutput } from './chat-template.js';

/** Tokenizer files transformers may need, copied as they are (tokenizer_config.json is rewritten, not copied). */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer.model', 'vocab.json', 'merges.txt', 'added_tokens.json', 'special_tokens_map.json'];

const TORCH_DTYPE: Record<string, string> = { BF16: 'bfloat16', F16: 'float16', F32: 'float32' };

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  if (!existsSync(path)) return null;
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Token text → id from tokenizer.json (added tokens first, then the model's vocab). */
export async function tokenIdOf(baseDir: string, text: string): Promise<number | null> {
  const tok = await readJson(join(baseDir, 'tokenizer.json'));
  if (!tok) return null;
  for (const t of (tok.added_tokens ?? []) as { id: number; content: string }[]) if (t.content === text) return t.id;
  const vocab = (tok.model as { vocab?: unknown } | undefined)?.vocab;
  if (vocab && !Array.isArray(vocab) && typeof vocab === 'object') {
    const id = (vocab as Record<string, number>)[text];
    if (id !== undefined) return id;
  } else if (Array.isArray(vocab)) {
    // Unigram: [[piece, score], …]
    const i = (vocab as [string, number][]).findIndex(([p]) => p === text);
    if (i >= 0) return i;
  }
  return null;
}

export interface ModelFilesResult {
  readonly files: string[];
  readonly eosToken: string | null;
  readonly eosTokenIds: number[];
}

/** Writes everything but the weights into outDir; returns the files written and the EOS the model now ends with. */
export async function writeModelFiles(baseDir: string, outDir: string, dtype: string, template: ChatTemplateOutput | null): Promise<ModelFilesResult> {
  const files: string[] = [];
  const config = await readJson(join(baseDir, 'config.json'));
  if (!config) throw new Error(`${baseDir} has no config.json.`);
  if (TORCH_DTYPE[dtype]) {
    config.torch_dtype = TORCH_DTYPE[dtype];
    if ('dtype' in config) config.dtype = TORCH_DTYPE[dtype];
  }
  for (const f of TOKENIZER_FILES) {
    if (existsSync(join(baseDir, f))) {
      await copyFile(join(baseDir, f), join(outDir, f));
      files.push(f);
    }
  }
  const tokConfig = (await readJson(join(baseDir, 'tokenizer_config.json'))) ?? {};
  const eosText = template?.eosToken ?? (typeof tokConfig.eos_token === 'string' ? tokConfig.eos_token : (tokConfig.eos_token as { content?: string } | undefined)?.content ?? null);
  const eosIds: number[] = [];
  for (const text of [eosText, ...(template?.stopStrings ?? [])]) {
    if (!text) continue;
    const id = await tokenIdOf(baseDir, text);
    if (id !== null && !eosIds.includes(id)) eosIds.push(id);
  }
  if (template) {
    tokConfig.chat_template = template.jinja;
    if (template.eosToken) tokConfig.eos_token = template.eosToken;
    // transformers ≥ 4.43 reads chat_template.jinja before tokenizer_config.json: write both, the same text.
    await writeFile(join(outDir, 'chat_template.jinja'), template.jinja);
    files.push('chat_template.jinja');
    if (files.includes('special_tokens_map.json') && template.eosToken) {
      const stm = (await readJson(join(outDir, 'special_tokens_map.json'))) ?? {};
      stm.eos_token = template.eosToken;
      await writeJson(join(outDir, 'special_tokens_map.json'), stm);
    }
  }
  await writeJson(join(outDir, 'tokenizer_config.json'), tokConfig);
  files.push('tokenizer_config.json');
  const gen = (await readJson(join(baseDir, 'generation_config.json'))) ?? {};
  if (eosIds.length > 0) {
    // Keep the base's own EOS ids too (e.g. <|endoftext|>): stopping on any of them is what generation expects.
    const prior = Array.isArray(gen.eos_token_id) ? (gen.eos_token_id as number[]) : typeof gen.eos_token_id === 'number' ? [gen.eos_token_id] : [];
    const all = [...eosIds, ...prior.filter((id) => !eosIds.includes(id))];
    gen.eos_token_id = all.length === 1 ? all[0] : all;
    config.eos_token_id = eosIds[0];
  }
  await writeJson(join(outDir, 'generation_config.json'), gen);
  files.push('generation_config.json');
  await writeJson(join(outDir, 'config.json'), config);
  files.push('config.json');
  return { files, eosToken: eosText, eosTokenIds: eosIds };
}
