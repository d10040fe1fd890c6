// Reads the JSON files of a local Hugging Face model folder (config, tokenizer_config, generation_config)
// and checks the architecture is one we train. Does not read weights (safetensors-header.ts) or tokenize.
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { errorText, LatheError } from '../../preload/contract/errors.js';
import { SUPPORTED_ARCHITECTURES, type SupportedArchitecture } from '../../preload/contract/models.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const MODEL_FOLDER_ERROR_CODES = ['err.modelFolder.noFile', 'err.modelFolder.badJson', 'err.modelFolder.missing', 'err.modelFolder.unsupported'] as const;
const errText = errorText(MODEL_FOLDER_ERROR_CODES);

export interface HfConfig {
  readonly architectures?: readonly string[];
  readonly model_type?: string;
  readonly hidden_size?: number;
  readonly intermediate_size?: number;
  readonly num_hidden_layers?: number;
  readonly num_attention_heads?: number;
  readonly num_key_value_heads?: number;
  readonly head_dim?: number;
  readonly vocab_size?: number;
  readonly max_position_embeddings?: number;
  readonly tie_word_embeddings?: boolean;
  readonly torch_dtype?: string;
  readonly dtype?: string;
  readonly [k: string]: unknown;
}

/** A special token in tokenizer_config.json is a string or an AddedToken-shaped object. */
export type TokenSpec = string | { readonly content: string } | null | undefined;

export interface TokenizerConfig {
  readonly chat_template?: string | readonly { name: string; template: string }[];
  readonly bos_token?: TokenSpec;
  readonly eos_token?: TokenSpec;
  readonly pad_token?: TokenSpec;
  readonly unk_token?: TokenSpec;
  readonly add_bos_token?: boolean;
  readonly add_eos_token?: boolean;
  readonly tokenizer_class?: string;
  readonly [k: string]: unknown;
}

export interface GenerationConfig {
  readonly bos_token_id?: number | readonly number[];
  readonly eos_token_id?: number | readonly number[];
  readonly [k: string]: unknown;
}

export interface ModelFolder {
  readonly path: string;
  readonly name: string;
  readonly config: HfConfig;
  readonly architecture: SupportedArchitecture;
  readonly tokenizerConfig: TokenizerConfig;
  readonly generationConfig: GenerationConfig;
  readonly hasTokenizerJson: boolean;
  /** The chat template as a string (a named list's `default` entry), or null. */
  readonly chatTemplate: string | null;
}

async function readJson<T>(path: string, required: boolean): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    if (required) throw new LatheError('not_found', `No ${basename(path)} in ${resolve(path, '..')}: this is not a Hugging Face model folder.`, { path }, errText('err.modelFolder.noFile', { file: basename(path), folder: resolve(path, '..') }));
    return null;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new LatheError('bad_input', `${path} is not valid JSON: ${(e as Error).message}`, { path }, errText('err.modelFolder.badJson', { path, detail: (e as Error).message }));
  }
}

export function tokenContent(t: TokenSpec): string | null {
  if (t === null || t === undefined) return null;
  return typeof t === 'string' ? t : t.content;
}

export function chatTemplateOf(tc: TokenizerConfig): string | null {
  const t = tc.chat_template;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((e) => e.name === 'default')?.template ?? t[0]?.template ?? null;
  return null;
}

export async function readModelFolder(dir: string): Promise<ModelFolder> {
  const path = resolve(dir);
  try {
    if (!(await stat(path)).isDirectory()) throw new Error();
  } catch {
    throw new LatheError('not_found', `Model folder ${path} does not exist.`, { path }, errText('err.modelFolder.missing', { path }));
  }
  const config = (await readJson<HfConfig>(join(path, 'config.json'), true)) as HfConfig;
  const arch = config.architectures?.[0] ?? config.model_type ?? 'unknown';
  if (!(SUPPORTED_ARCHITECTURES as readonly string[]).includes(arch)) {
    throw new LatheError('unsupported', `not supported yet: ${arch}`, { path, architecture: arch, supported: SUPPORTED_ARCHITECTURES }, errText('err.modelFolder.unsupported', { arch }));
  }
  const tokenizerConfig = (await readJson<TokenizerConfig>(join(path, 'tokenizer_config.json'), false)) ?? {};
  const generationConfig = (await readJson<GenerationConfig>(join(path, 'generation_config.json'), false)) ?? {};
  let hasTokenizerJson = true;
  try {
    await stat(join(path, 'tokenizer.json'));
  } catch {
    hasTokenizerJson = false;
  }
  // transformers ≥ 4.43 may keep the template in chat_template.jinja beside tokenizer_config.json.
  let chatTemplate = chatTemplateOf(tokenizerConfig);
  if (chatTemplate === null) {
    try {
      chatTemplate = await readFile(join(path, 'chat_template.jinja'), 'utf8');
    } catch {
      chatTemplate = null;
    }
  }
  return {
    path,
    name: basename(path),
    config,
    architecture: arch as SupportedArchitecture,
    tokenizerConfig,
    generationConfig,
    hasTokenizerJson,
    chatTemplate,
  };
}
