// Applies a mapping to one raw record, producing the normalised record (see preload/contract/datasets.ts).
// Reports values it cannot use (lists where text is expected, unknown roles); content checks are record-validator's.
// Problems carry a `code` (MAPPER_CODES) and params for the renderer's translation, built only when one is found.
import type { FieldSource, Mapping, Message, MessageRole, NormalisedRecord, RoleTags, TargetField } from '../../preload/contract/datasets.js';
import type { MessageParams } from '../../preload/contract/message-code.js';
import { RoleTags as RoleTagsSchema } from '../../preload/contract/datasets.js';
import { renderField } from './field-template.js';
import type { CellValue } from './readers/source-types.js';
import { FIELD_NAMES } from './field-names.js';

type Values = Readonly<Record<string, CellValue>>;

export interface FieldProblem {
  readonly column?: string | undefined;
  readonly message: string;
  readonly code: string;
  readonly params: MessageParams;
}

/** Every code this file's problems carry (the renderer has a `main.<code>` text for each; a test checks). */
export const MAPPER_CODES = [
  'dataset.notText',
  'dataset.conversationNotJson',
  'dataset.conversationNotList',
  'dataset.historyNotJson',
  'dataset.historyNotList',
  'dataset.messageNotObject',
  'dataset.unknownRole',
  'dataset.labelNotBoolean',
] as const;
type MapperCode = (typeof MAPPER_CODES)[number];

function problem(column: string, code: MapperCode, params: MessageParams, message: string): FieldProblem {
  return { column, message, code, params };
}

export interface MappedRecord {
  readonly record: NormalisedRecord | null;
  /** Shared and empty when there are none (most rows): read it, do not keep adding to it. */
  readonly problems: readonly FieldProblem[];
}

const NO_PROBLEMS: readonly FieldProblem[] = Object.freeze([]);

/** The first source column of a target field, for problem reports. */
export function fieldColumn(mapping: Mapping, field: TargetField): string | undefined {
  return mapping.fields[field]?.columns[0];
}

/** Every column a mapping reads (fields and template placeholders). */
export function mappedColumns(mapping: Mapping): string[] {
  const out = new Set<string>();
  for (const f of Object.values(mapping.fields) as FieldSource[]) for (const c of f.columns) out.add(c);
  return [...out];
}

export class RecordMapper {
  private readonly roles: RoleTags;
  private readonly roleOf: Map<string, MessageRole>;

  constructor(private readonly mapping: Mapping) {
    this.roles = mapping.roles ?? RoleTagsSchema.parse({});
    this.roleOf = new Map<string, MessageRole>([
      [this.roles.userTag, 'user'],
      [this.roles.assistantTag, 'assistant'],
      [this.roles.systemTag, 'system'],
      [this.roles.observationTag, 'tool'],
      [this.roles.functionTag, 'function'],
    ]);
  }

  /** Problems of the row being mapped: one array reused, copied out only when a row has some. */
  private readonly scratch: FieldProblem[] = [];

  map(values: Values): MappedRecord {
    const problems = this.scratch;
    problems.length = 0;
    const m = this.mapping;
    const system = this.text(values, problems, 'system') || undefined;
    let record: NormalisedRecord | null = null;
    switch (m.shape) {
      case 'text':
        record = { kind: 'text', text: this.text(values, problems, 'text') ?? '' };
        break;
      case 'single': {
        const instruction = this.text(values, problems, 'instruction') ?? '';
        const input = this.text(values, problems, 'input') || undefined;
        const output = this.text(values, problems, 'output') ?? '';
        const history = m.fields.history ? this.history(values, problems) : [];
        if (history.length > 0) {
          const messages: Message[] = [...history, { role: 'user', content: joinPrompt(instruction, input) }, { role: 'assistant', content: output }];
          record = { kind: 'conversation', ...(system ? { system } : {}), messages };
        } else record = singleRecord(system, instruction, input, output);
        break;
      }
      case 'conversation': {
        let messages: Message[];
        let sys = system;
        if (m.fields.messages) {
          const parsed = this.messages(values, 'messages', problems);
          if (parsed[0]?.role === 'system') {
            sys = sys ?? parsed[0].content;
            parsed.shift();
          }
          messages = parsed;
        } else {
          const instruction = this.text(values, problems, 'instruction') ?? '';
          messages = [...this.history(values, problems), { role: 'user', content: joinPrompt(instruction, this.text(values, problems, 'input')) }, { role: 'assistant', content: this.text(values, problems, 'output') ?? '' }];
        }
        const tools = this.tools(values, problems);
        const label = this.label(values, problems);
        record = { kind: 'conversation', ...(sys ? { system: sys } : {}), messages, ...(tools ? { tools } : {}), ...(label !== undefined ? { label } : {}) };
        break;
      }
      case 'preference': {
        let prompt: string | Message[];
        let sys = system;
        if (m.fields.messages) {
          const parsed = this.messages(values, 'messages', problems);
          if (parsed[0]?.role === 'system') {
            sys = sys ?? parsed[0].content;
            parsed.shift();
          }
          prompt = parsed;
        } else prompt = joinPrompt(this.text(values, problems, 'instruction') ?? '', this.text(values, problems, 'input'));
        const chosen = this.answer(values, 'chosen', problems);
        const rejected = this.answer(values, 'rejected', problems);
        const tools = this.tools(values, problems);
        record = { kind: 'preference', ...(sys ? { system: sys } : {}), prompt, chosen, rejected, ...(tools ? { tools } : {}) };
        break;
      }
    }
    return { record, problems: problems.length === 0 ? NO_PROBLEMS : problems.splice(0) };
  }

  /** A target field's text, or undefined (with a problem noted) when its column cannot be text. */
  private text(values: Values, problems: FieldProblem[], field: TargetField): string | undefined {
    const src = this.mapping.fields[field];
    if (!src) return undefined;
    const r = renderField(src, values);
    if ('error' in r) {
      problems.push(problem(r.column, 'dataset.notText', { column: r.column, holds: r.holds, field }, `${r.error} (${FIELD_NAMES[field]})`));
      return undefined;
    }
    return r.text;
  }

  /** A messages column: a list (or its JSON text) of objects with the role and content tags. */
  private messages(values: Values, field: TargetField, problems: FieldProblem[]): Message[] {
    const col = fieldColumn(this.mapping, field)!;
    const v = listCell(values[col], col, 'conversation', problems);
    const out: Message[] = [];
    v.forEach((raw, i) => {
      const msg = this.message(raw, col, i, problems);
      if (msg) out.push(msg);
    });
    return out;
  }

  private message(raw: unknown, col: string, i: number, problems: FieldProblem[]): Message | null {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push(problem(col, 'dataset.messageNotObject', { n: i + 1 }, `Message ${i + 1} is not an object.`));
      return null;
    }
    const o = raw as Record<string, unknown>;
    const tag = o[this.roles.roleTag];
    const role = typeof tag === 'string' ? this.roleOf.get(tag) : undefined;
    if (!role) {
      const expected = [...this.roleOf.keys()].join(', ');
      problems.push(problem(col, 'dataset.unknownRole', { n: i + 1, tag: String(tag), expected }, `Message ${i + 1} has an unknown role “${String(tag)}” (expected ${expected}).`));
      return null;
    }
    const content = o[this.roles.contentTag];
    if (typeof content === 'string') return { role, content };
    if (content === null || content === undefined) return { role, content: '' };
    if (typeof content === 'object') return { role, content: JSON.stringify(content) };
    return { role, content: String(content) };
  }

  /** Alpaca history: [[question, answer], …] (or its JSON text) before the current turn. */
  private history(values: Values, problems: FieldProblem[]): Message[] {
    const col = fieldColumn(this.mapping, 'history');
    if (!col) return [];
    const v = listCell(values[col], col, 'history', problems);
    const out: Message[] = [];
    for (const turn of v) {
      if (Array.isArray(turn) && turn.length === 2) {
        out.push({ role: 'user', content: String(turn[0] ?? '') }, { role: 'assistant', content: String(turn[1] ?? '') });
      } else {
        const msg = this.message(turn, col, out.length, problems);
        if (msg) out.push(msg);
      }
    }
    return out;
  }

  /** chosen/rejected: text, or a single message object (sharegpt ranking files). */
  private answer(values: Values, field: 'chosen' | 'rejected', problems: FieldProblem[]): string {
    const src = this.mapping.fields[field];
    if (!src) return '';
    const v = values[src.columns[0]!];
    if (src.columns.length === 1 && v && typeof v === 'object' && !Array.isArray(v)) {
      const msg = this.message(v, src.columns[0]!, 0, problems);
      return msg?.content ?? '';
    }
    const r = renderField(src, values);
    if ('error' in r) {
      problems.push(problem(r.column, 'dataset.notText', { column: r.column, holds: r.holds, field }, `${r.error} (${FIELD_NAMES[field]})`));
      return '';
    }
    return r.text;
  }

  private tools(values: Values, _problems: FieldProblem[]): string | undefined {
    const col = fieldColumn(this.mapping, 'tools');
    if (!col) return undefined;
    const v = values[col];
    if (v === null || v === undefined || v === '') return undefined;
    return typeof v === 'string' ? v : JSON.stringify(v);
  }

  private label(values: Values, problems: FieldProblem[]): boolean | undefined {
    const col = fieldColumn(this.mapping, 'label');
    if (!col) return undefined;
    const v = values[col];
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 1 || v === '1') return true;
    if (v === 'false' || v === 0 || v === '0') return false;
    if (v !== null && v !== undefined && v !== '') problems.push(problem(col, 'dataset.labelNotBoolean', { value: String(v) }, `The label “${String(v)}” is not true or false.`));
    return undefined;
  }
}

/**
 * The same object (same key order, so the same JSON) as `{kind, ...(system && {system}), instruction, ...(input &&
 * {input}), output}`, built as literals: spread objects cost twice as much to create and to JSON.stringify.
 */
function singleRecord(system: string | undefined, instruction: string, input: string | undefined, output: string): NormalisedRecord {
  if (system) return input ? { kind: 'single', system, instruction, input, output } : { kind: 'single', system, instruction, output };
  return input ? { kind: 'single', instruction, input, output } : { kind: 'single', instruction, output };
}

/** LLaMA-Factory joins an alpaca instruction and its input with a newline. */
export function joinPrompt(instruction: string, input: string | undefined): string {
  return input ? `${instruction}\n${input}` : instruction;
}

const LIST_PROBLEMS = {
  conversation: {
    badJson: ['dataset.conversationNotJson', 'The conversation is not a valid JSON list.'],
    notList: ['dataset.conversationNotList', 'Expected a list of messages.'],
  },
  history: {
    badJson: ['dataset.historyNotJson', 'The history is not a valid JSON list.'],
    notList: ['dataset.historyNotList', 'Expected the history as a list of [question, answer] pairs.'],
  },
} as const satisfies Record<string, Record<'badJson' | 'notList', readonly [MapperCode, string]>>;

/** A cell holding a list, or the JSON text of one; empty cells are an empty list, anything else a problem. */
function listCell(cell: unknown, column: string, what: keyof typeof LIST_PROBLEMS, problems: FieldProblem[]): unknown[] {
  let v = cell;
  if (typeof v === 'string' && v.trim().startsWith('[')) {
    try {
      v = JSON.parse(v);
    } catch {
      const [code, message] = LIST_PROBLEMS[what].badJson;
      problems.push(problem(column, code, {}, message));
      return [];
    }
  }
  if (v === null || v === undefined || v === '') return [];
  if (!Array.isArray(v)) {
    const [code, message] = LIST_PROBLEMS[what].notList;
    problems.push(problem(column, code, {}, message));
    return [];
  }
  return v;
}
