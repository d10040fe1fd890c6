// LLaMA-Factory's dataset_info.json vocabulary: turns one entry (formatting, columns, tags, ranking) into a Lathe
// mapping, and a Lathe dataset back into an entry. Defaults follow LLaMA-Factory's DatasetAttr
// (src/llamafactory/data/parser.py) and data/README.md. It does not read or write files.
import type { Mapping, RoleTags } from '../../preload/contract/datasets.js';

export interface LlamaFactoryEntry {
  readonly file_name?: string;
  readonly hf_hub_url?: string;
  readonly ms_hub_url?: string;
  readonly om_hub_url?: string;
  readonly script_url?: string;
  readonly cloud_file_name?: string;
  readonly formatting?: 'alpaca' | 'sharegpt' | 'openai';
  readonly ranking?: boolean;
  readonly columns?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
  readonly [k: string]: unknown;
}

const SHAREGPT_DEFAULT_TAGS: RoleTags = { roleTag: 'from', contentTag: 'value', userTag: 'human', assistantTag: 'gpt', observationTag: 'observation', functionTag: 'function_call', systemTag: 'system' };
const OPENAI_DEFAULT_TAGS: RoleTags = { roleTag: 'role', contentTag: 'content', userTag: 'user', assistantTag: 'assistant', observationTag: 'tool', functionTag: 'function', systemTag: 'system' };

/** Where a remote entry points, or null when it is a local file. */
export function remoteSource(e: LlamaFactoryEntry): string | null {
  if (e.file_name) return null;
  for (const k of ['hf_hub_url', 'ms_hub_url', 'om_hub_url', 'script_url', 'cloud_file_name'] as const) if (typeof e[k] === 'string') return `${k}: ${e[k]}`;
  return 'no file_name';
}

/**
 * The mapping for an entry, given the columns actually present in its file (LLaMA-Factory ignores absent default
 * columns, e.g. `query`/`response` of a pre-training file that has only `text`).
 */
export function entryMapping(e: LlamaFactoryEntry, present: readonly string[]): Mapping {
  const cols = e.columns ?? {};
  const has = (c: string | undefined): c is string => c !== undefined && present.includes(c);
  const field = (c: string | undefined) => (has(c) ? { columns: [c] } : undefined);
  const fields: Mapping['fields'] = {};
  const put = (k: keyof Mapping['fields'], c: string | undefined) => {
    const f = field(c);
    if (f) fields[k] = f;
  };
  const formatting = e.formatting ?? 'alpaca';
  if (formatting === 'alpaca') {
    put('system', cols['system']);
    put('tools', cols['tools']);
    put('history', cols['history']);
    if (e.ranking) {
      put('instruction', cols['prompt'] ?? 'instruction');
      put('input', cols['query'] ?? 'input');
      put('chosen', cols['chosen'] ?? 'chosen');
      put('rejected', cols['rejected'] ?? 'rejected');
      return { shape: 'preference', fields };
    }
    const response = cols['response'] ?? 'output';
    if (!has(response)) {
      // Pre-training files: only a prompt (text) column.
      return { shape: 'text', fields: { text: { columns: [cols['prompt'] ?? 'text'] } } };
    }
    put('instruction', cols['prompt'] ?? 'instruction');
    put('input', cols['query'] ?? 'input');
    put('output', response);
    return { shape: 'single', fields };
  }
  const defaults = formatting === 'openai' ? OPENAI_DEFAULT_TAGS : SHAREGPT_DEFAULT_TAGS;
  const t = e.tags ?? {};
  const roles: RoleTags = {
    roleTag: t['role_tag'] ?? defaults.roleTag,
    contentTag: t['content_tag'] ?? defaults.contentTag,
    userTag: t['user_tag'] ?? defaults.userTag,
    assistantTag: t['assistant_tag'] ?? defaults.assistantTag,
    observationTag: t['observation_tag'] ?? defaults.observationTag,
    functionTag: t['function_tag'] ?? defaults.functionTag,
    systemTag: t['system_tag'] ?? defaults.systemTag,
  };
  put('messages', cols['messages'] ?? (formatting === 'openai' ? 'messages' : 'conversations'));
  put('system', cols['system']);
  put('tools', cols['tools']);
  if (e.ranking) {
    put('chosen', cols['chosen'] ?? 'chosen');
    put('rejected', cols['rejected'] ?? 'rejected');
    return { shape: 'preference', fields, roles };
  }
  if (cols['kto_tag']) put('label', cols['kto_tag']);
  return { shape: 'conversation', fields, roles };
}

/** The dataset_info.json entry for a file Lathe exported (see dataset-exporter.ts for the record layouts). */
export function exportEntry(fileName: string, format: 'alpaca' | 'sharegpt' | 'openai', kind: string, hasKto: boolean): Record<string, unknown> {
  if (format === 'alpaca') {
    if (kind === 'text') return { file_name: fileName, columns: { prompt: 'text' } };
    if (kind === 'preference') return { file_name: fileName, ranking: true, columns: { prompt: 'instruction', query: 'input', chosen: 'chosen', rejected: 'rejected', system: 'system' } };
    return { file_name: fileName, columns: { prompt: 'instruction', query: 'input', response: 'output', system: 'system', history: 'history' } };
  }
  // openai files keep the system prompt as the first message (LLaMA-Factory reads it through system_tag).
  const openai = format === 'openai';
  const tags = openai
    ? { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', observation_tag: 'tool', function_tag: 'function', system_tag: 'system' }
    : { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt', observation_tag: 'observation', function_tag: 'function_call', system_tag: 'system' };
  const messages = openai ? 'messages' : 'conversations';
  const system = openai ? {} : { system: 'system' };
  if (kind === 'preference') return { file_name: fileName, formatting: 'sharegpt', ranking: true, columns: { messages, chosen: 'chosen', rejected: 'rejected', ...system, tools: 'tools' }, tags };
  return { file_name: fileName, formatting: 'sharegpt', columns: { messages, ...system, tools: 'tools', ...(hasKto ? { kto_tag: 'label' } : {}) }, tags };
}
