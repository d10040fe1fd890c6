// Proposes a mapping from column names (English and Chinese) and sample content, with a confidence per field.
// Recognises LLaMA-Factory alpaca / sharegpt / openai files by their keys. It does not read files or validate rows.
import type { FieldSource, Mapping, MappingSuggestion, RoleTags, TargetField } from '../../preload/contract/datasets.js';
import type { CellValue } from './readers/source-types.js';

type Values = Readonly<Record<string, CellValue>>;

// Whole-name and word matches, lower-cased; Chinese names are matched as substrings.
const KEYWORDS: Partial<Record<TargetField, { words: string[]; zh: string[] }>> = {
  system: { words: ['system', 'system prompt', 'system_prompt', 'persona'], zh: ['系统', '系统提示', '人设'] },
  instruction: { words: ['instruction', 'question', 'prompt', 'query', 'ask', 'problem', 'issue', 'request', 'customer message', 'user', 'subject'], zh: ['问题', '提问', '指令', '咨询', '用户问题', '客户问题', '问', '问句', '用户'] },
  input: { words: ['input', 'context', 'notes', 'note', 'remark', 'remarks', 'details', 'detail', 'background', 'description'], zh: ['上下文', '备注', '补充', '详情', '背景', '描述', '附加信息', '输入'] },
  output: { words: ['output', 'answer', 'response', 'reply', 'resolution', 'solution', 'agent reply', 'completion', 'assistant'], zh: ['回答', '回复', '答案', '答复', '解决方案', '处理结果', '客服回复', '输出'] },
  history: { words: ['history', 'chat history', 'dialog history'], zh: ['历史', '对话历史', '历史对话'] },
  chosen: { words: ['chosen', 'preferred', 'better', 'good response'], zh: ['优选', '好回答', '选中'] },
  rejected: { words: ['rejected', 'dispreferred', 'worse', 'bad response'], zh: ['差回答', '拒绝', '劣选'] },
  text: { words: ['text', 'content', 'body', 'document'], zh: ['文本', '正文', '内容'] },
};

const SHAREGPT_TAGS: RoleTags = { roleTag: 'from', contentTag: 'value', userTag: 'human', assistantTag: 'gpt', observationTag: 'observation', functionTag: 'function_call', systemTag: 'system' };
const OPENAI_TAGS: RoleTags = { roleTag: 'role', contentTag: 'content', userTag: 'user', assistantTag: 'assistant', observationTag: 'tool', functionTag: 'function', systemTag: 'system' };

function words(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[\s/|()（）\[\]【】:：,，._\-]+/)
    .filter(Boolean);
}

/** 1 for an exact name or word match, 0.8 for a Chinese keyword inside the name, else 0. */
export function nameScore(column: string, field: TargetField): number {
  const k = KEYWORDS[field];
  if (!k) return 0;
  const lower = column.toLowerCase().trim();
  if (k.words.includes(lower) || k.zh.includes(lower)) return 1;
  const ws = words(column);
  for (const part of column.split(/[/|]/).map((s) => s.trim().toLowerCase())) if (k.words.includes(part) || k.zh.includes(part)) return 1;
  if (ws.some((w) => k.words.includes(w) && w.length > 3)) return 0.9;
  if (k.zh.some((z) => z.length > 1 && column.includes(z))) return 0.8;
  return 0;
}

interface ColumnProfile {
  readonly name: string;
  readonly textShare: number;
  readonly meanLength: number;
  readonly questionShare: number;
  readonly idLike: boolean;
  readonly messagesLike: boolean;
}

function profile(name: string, sample: readonly Values[]): ColumnProfile {
  let text = 0, len = 0, q = 0, filled = 0, numeric = 0, messages = 0;
  const distinct = new Set<string>();
  for (const v of sample) {
    const c = v[name];
    if (c === null || c === undefined || c === '') continue;
    filled++;
    if (Array.isArray(c) && c.length > 0 && typeof c[0] === 'object') messages++;
    if (typeof c === 'number' || (typeof c === 'string' && /^[#A-Z]*[-_]?\d[\d\-_]*$/i.test(c.trim()))) numeric++;
    if (typeof c === 'string') {
      text++;
      len += c.length;
      if (/[?？吗呢]\s*$|^(how|what|why|when|where|can|could|is|do|does|请问|如何|怎么|为什么)/i.test(c.trim())) q++;
      distinct.add(c);
    }
  }
  const n = Math.max(filled, 1);
  return {
    name,
    textShare: text / n,
    meanLength: text ? len / text : 0,
    questionShare: text ? q / text : 0,
    idLike: numeric / n > 0.8 || (text > 0 && len / text < 12 && /(^|\b)(id|no|number|#)\b|号|编号|日期|date|time|时间/i.test(name)),
    messagesLike: messages / n > 0.8,
  };
}

function one(column: string, template?: string): FieldSource {
  return template === undefined ? { columns: [column] } : { columns: [column], template };
}

function detectRoles(sample: readonly Values[], column: string): { tags: RoleTags; format: 'sharegpt' | 'openai' } {
  for (const v of sample) {
    const msgs = v[column];
    if (!Array.isArray(msgs) || !msgs[0] || typeof msgs[0] !== 'object') continue;
    const first = msgs[0] as Record<string, unknown>;
    if ('from' in first && 'value' in first) return { tags: SHAREGPT_TAGS, format: 'sharegpt' };
    if ('role' in first && 'content' in first) return { tags: OPENAI_TAGS, format: 'openai' };
  }
  return { tags: SHAREGPT_TAGS, format: 'sharegpt' };
}

export function suggestMapping(columns: readonly string[], sample: readonly Values[]): MappingSuggestion {
  const has = (c: string) => columns.includes(c);
  const profiles = new Map(columns.map((c) => [c, profile(c, sample)]));

  // LLaMA-Factory sharegpt / openai files: a column of message lists.
  const msgCol = ['conversations', 'messages', 'conversation', 'dialog', 'chat'].find((c) => has(c) && profiles.get(c)!.messagesLike) ?? columns.find((c) => profiles.get(c)!.messagesLike);
  if (msgCol) {
    const { tags, format } = detectRoles(sample, msgCol);
    const fields: Mapping['fields'] = { messages: one(msgCol) };
    if (has('system')) fields.system = one('system');
    if (has('tools')) fields.tools = one('tools');
    let shape: Mapping['shape'] = 'conversation';
    if (has('chosen') && has('rejected')) {
      shape = 'preference';
      fields.chosen = one('chosen');
      fields.rejected = one('rejected');
    } else if (has('label') && sample.some((v) => typeof v['label'] === 'boolean')) fields.label = one('label');
    const fc: MappingSuggestion['fieldConfidence'] = Object.fromEntries(Object.keys(fields).map((k) => [k, 1]));
    return { mapping: { shape, fields, roles: tags }, confidence: 1, fieldConfidence: fc, detectedFormat: format };
  }

  // LLaMA-Factory alpaca files.
  if (has('instruction') && (has('output') || (has('chosen') && has('rejected')))) {
    const fields: Mapping['fields'] = { instruction: one('instruction') };
    for (const f of ['input', 'system', 'history'] as const) if (has(f)) fields[f] = one(f);
    let shape: Mapping['shape'] = 'single';
    if (has('chosen') && has('rejected')) {
      shape = 'preference';
      fields.chosen = one('chosen');
      fields.rejected = one('rejected');
    } else fields.output = one('output');
    const fc: MappingSuggestion['fieldConfidence'] = Object.fromEntries(Object.keys(fields).map((k) => [k, 1]));
    return { mapping: { shape, fields }, confidence: 1, fieldConfidence: fc, detectedFormat: 'alpaca' };
  }

  // A plain table: names first, then content.
  const taken = new Set<string>();
  const fields: Mapping['fields'] = {};
  const conf: Partial<Record<TargetField, number>> = {};
  const pick = (field: TargetField, threshold = 0.75): void => {
    let best: { col: string; score: number } | null = null;
    for (const c of columns) {
      if (taken.has(c)) continue;
      const s = nameScore(c, field);
      if (s >= threshold && (!best || s > best.score)) best = { col: c, score: s };
    }
    if (best) {
      fields[field] = one(best.col);
      conf[field] = best.score;
      taken.add(best.col);
    }
  };
  for (const f of ['chosen', 'rejected', 'system', 'output', 'instruction', 'history', 'input'] as const) pick(f);

  const textCols = columns.filter((c) => !taken.has(c) && !profiles.get(c)!.idLike && profiles.get(c)!.textShare > 0.8);
  // One document column and nothing that looks like a question or an answer: pre-training text.
  if (!fields.output && !fields.instruction && !fields.chosen && textCols.length === 1 && nameScore(textCols[0]!, 'text') >= 0.75) {
    return { mapping: { shape: 'text', fields: { text: one(textCols[0]!) } }, confidence: nameScore(textCols[0]!, 'text'), fieldConfidence: { text: 1 }, detectedFormat: 'table' };
  }
  if (!fields.output && !fields.chosen) {
    const longest = [...textCols].sort((a, b) => profiles.get(b)!.meanLength - profiles.get(a)!.meanLength)[0];
    if (longest) {
      fields.output = one(longest);
      conf.output = 0.4;
      taken.add(longest);
      textCols.splice(textCols.indexOf(longest), 1);
    }
  }
  if (!fields.instruction) {
    const questiony = [...textCols].sort((a, b) => profiles.get(b)!.questionShare - profiles.get(a)!.questionShare || columns.indexOf(a) - columns.indexOf(b))[0];
    if (questiony) {
      fields.instruction = one(questiony);
      conf.instruction = profiles.get(questiony)!.questionShare > 0.3 ? 0.5 : 0.3;
      taken.add(questiony);
    }
  }

  const shape: Mapping['shape'] = fields.chosen && fields.rejected ? 'preference' : 'single';
  const required: TargetField[] = shape === 'preference' ? ['chosen', 'rejected'] : ['instruction', 'output'];
  const confidence = Math.min(...required.map((f) => conf[f] ?? 0));
  return { mapping: { shape, fields }, confidence, fieldConfidence: conf, detectedFormat: 'table' };
}
