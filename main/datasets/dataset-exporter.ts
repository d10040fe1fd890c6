// Writes a stored dataset as LLaMA-Factory JSONL (alpaca, sharegpt or openai messages) plus its dataset_info.json entry, so data
// prepared in Lathe runs in LLaMA-Factory unchanged. Files are written to a temp name and renamed (atomic).
// It does not export excluded rows (unless asked) and never changes the stored dataset.
import fs from 'node:fs';
import path from 'node:path';
import type { ExportResult, Message, NormalisedRecord } from '../../preload/contract/datasets.js';
import { LatheError } from '../../preload/contract/errors.js';
import type { DatasetsStore } from '../db/datasets-store.js';
import { safeFileName } from '../workspace/safe-path.js';
import { exportEntry } from './llamafactory-format.js';

type Format = 'alpaca' | 'sharegpt' | 'openai';

const SHAREGPT_ROLE: Record<Message['role'], string> = { user: 'human', assistant: 'gpt', system: 'system', tool: 'observation', function: 'function_call' };

export function toAlpaca(r: NormalisedRecord, row: number): Record<string, unknown> {
  switch (r.kind) {
    case 'text':
      return { text: r.text };
    case 'single':
      return { instruction: r.instruction, input: r.input ?? '', output: r.output, ...(r.system ? { system: r.system } : {}) };
    case 'preference': {
      if (typeof r.prompt !== 'string') {
        const { history, last } = pairs(r.prompt, row, false);
        return { instruction: last, input: '', chosen: r.chosen, rejected: r.rejected, ...(history.length ? { history } : {}), ...(r.system ? { system: r.system } : {}) };
      }
      return { instruction: r.prompt, input: '', chosen: r.chosen, rejected: r.rejected, ...(r.system ? { system: r.system } : {}) };
    }
    case 'conversation': {
      const { history, last, answer } = pairs(r.messages, row, true);
      return { instruction: last, input: '', output: answer, ...(r.system ? { system: r.system } : {}), ...(history.length ? { history } : {}) };
    }
  }
}

/** Alpaca holds only user/assistant turns: earlier pairs become `history`. */
function pairs(messages: readonly Message[], row: number, withAnswer: boolean): { history: [string, string][]; last: string; answer: string } {
  if (messages.some((m) => m.role === 'tool' || m.role === 'function')) {
    throw new LatheError('unsupported', `Row ${row} has tool calls, which the alpaca format cannot hold. Export as sharegpt instead.`, { row });
  }
  const turns = [...messages];
  const answer = withAnswer ? (turns.pop()?.content ?? '') : '';
  const last = turns.pop()?.content ?? '';
  const history: [string, string][] = [];
  for (let i = 0; i + 1 < turns.length; i += 2) history.push([turns[i]!.content, turns[i + 1]!.content]);
  return { history, last, answer };
}

export function toShareGpt(r: NormalisedRecord, row: number): Record<string, unknown> {
  const msg = (m: Message) => ({ from: SHAREGPT_ROLE[m.role], value: m.content });
  switch (r.kind) {
    case 'text':
      throw new LatheError('unsupported', `Row ${row} is plain pre-training text, which sharegpt cannot hold. Export as alpaca instead.`, { row });
    case 'single':
      return {
        conversations: [{ from: 'human', value: r.input ? `${r.instruction}\n${r.input}` : r.instruction }, { from: 'gpt', value: r.output }],
        ...(r.system ? { system: r.system } : {}),
      };
    case 'conversation':
      return { conversations: r.messages.map(msg), ...(r.system ? { system: r.system } : {}), ...(r.tools ? { tools: r.tools } : {}), ...(r.label !== undefined ? { label: r.label } : {}) };
    case 'preference':
      return {
        conversations: typeof r.prompt === 'string' ? [{ from: 'human', value: r.prompt }] : r.prompt.map(msg),
        chosen: { from: 'gpt', value: r.chosen },
        rejected: { from: 'gpt', value: r.rejected },
        ...(r.system ? { system: r.system } : {}),
        ...(r.tools ? { tools: r.tools } : {}),
      };
  }
}

/** OpenAI-style messages ({role, content}); the system prompt is the first message, as in OpenAI's chat format. */
export function toOpenAi(r: NormalisedRecord, row: number): Record<string, unknown> {
  const sg = toShareGpt(r, row);
  const roleOf: Record<string, string> = { human: 'user', gpt: 'assistant', system: 'system', observation: 'tool', function_call: 'function' };
  const msg = (m: { from: string; value: string }) => ({ role: roleOf[m.from] ?? m.from, content: m.value });
  const system = typeof sg['system'] === 'string' ? [{ role: 'system', content: sg['system'] }] : [];
  const { conversations, system: _s, chosen, rejected, ...rest } = sg as { conversations: { from: string; value: string }[]; system?: string; chosen?: { from: string; value: string }; rejected?: { from: string; value: string } };
  return {
    messages: [...system, ...conversations.map(msg)],
    ...(chosen ? { chosen: msg(chosen) } : {}),
    ...(rejected ? { rejected: msg(rejected) } : {}),
    ...rest,
  };
}

export function exportDataset(store: DatasetsStore, id: number, format: Format, out: string, includeExcluded = false): ExportResult {
  const dataset = store.get(id);
  const file = path.resolve(out);
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  let rows = 0;
  let kind = '';
  let hasKto = false;
  try {
    let buf = '';
    for (const row of store.iterateRows(id)) {
      if (row.excluded && !includeExcluded) continue;
      const record = JSON.parse(row.edited_record ?? row.record) as NormalisedRecord;
      if (kind && kind !== record.kind && !(format === 'alpaca' && [kind, record.kind].every((k) => k === 'single' || k === 'conversation'))) {
        throw new LatheError('unsupported', `Dataset “${dataset.name}” mixes ${kind} and ${record.kind} records; LLaMA-Factory needs one kind per file.`);
      }
      kind = kind === 'conversation' ? kind : record.kind;
      if (record.kind === 'conversation' && record.label !== undefined) hasKto = true;
      buf += JSON.stringify(format === 'alpaca' ? toAlpaca(record, row.source_row) : format === 'openai' ? toOpenAi(record, row.source_row) : toShareGpt(record, row.source_row)) + '\n';
      rows++;
      if (buf.length > 1 << 20) {
        fs.writeSync(fd, buf);
        buf = '';
      }
    }
    fs.writeSync(fd, buf);
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      /* already closed */
    }
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  const entryName = safeFileName(dataset.name, 'dataset').replace(/\s+/g, '_');
  const datasetInfo = { [entryName]: exportEntry(path.basename(file), format, kind || dataset.shape, hasKto) };
  const infoFile = path.join(dir, 'dataset_info.json');
  let existing: Record<string, unknown> = {};
  if (fs.existsSync(infoFile)) {
    try {
      const parsed = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) existing = parsed as Record<string, unknown>;
    } catch {
      throw new LatheError('bad_input', `${infoFile} exists but is not valid JSON; Lathe will not overwrite it. Move it away or fix it.`, { file: infoFile });
    }
  }
  const infoTmp = `${infoFile}.${process.pid}.tmp`;
  fs.writeFileSync(infoTmp, `${JSON.stringify({ ...existing, ...datasetInfo }, null, 2)}\n`);
  fs.renameSync(infoTmp, infoFile);
  return { file, rows, datasetInfo, datasetInfoFile: infoFile };
}
