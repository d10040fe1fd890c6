// Reads records for preview/tokenize from a JSON or JSONL file: normalised records, or LLaMA-Factory's alpaca,
// sharegpt and OpenAI-messages shapes. A convenience for the CLI; importing real datasets is main/datasets' job.
import { readFile } from 'node:fs/promises';
import { LatheError } from '../../preload/contract/errors.js';
import { NormalisedRecord, type Message } from '../../preload/contract/datasets.js';

const SHAREGPT_ROLE: Record<string, Message['role']> = {
  human: 'user', user: 'user', gpt: 'assistant', assistant: 'assistant', system: 'system',
  observation: 'tool', tool: 'tool', function_call: 'function', function: 'function',
};

/** One row in any of the supported shapes, as a normalised record; null when it has no recognisable shape. */
export function rowToRecord(row: unknown): NormalisedRecord | null {
  if (typeof row !== 'object' || row === null) return null;
  const r = row as Record<string, unknown>;
  if (typeof r.kind === 'string') {
    const p = NormalisedRecord.safeParse(r);
    return p.success ? p.data : null;
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  if (typeof r.instruction === 'string' && typeof r.output === 'string') {
    return { kind: 'single', instruction: r.instruction, output: r.output, ...(str(r.input) ? { input: str(r.input)! } : {}), ...(str(r.system) ? { system: str(r.system)! } : {}) };
  }
  const list = Array.isArray(r.messages) ? r.messages : Array.isArray(r.conversations) ? r.conversations : null;
  if (list) {
    const messages: Message[] = [];
    for (const m of list as Record<string, unknown>[]) {
      const role = SHAREGPT_ROLE[String(m.role ?? m.from ?? '')];
      const content = m.content ?? m.value;
      if (!role || typeof content !== 'string') return null;
      messages.push({ role, content });
    }
    return { kind: 'conversation', messages, ...(str(r.system) ? { system: str(r.system)! } : {}), ...(str(r.tools) ? { tools: str(r.tools)! } : {}) };
  }
  if (typeof r.text === 'string') return { kind: 'text', text: r.text };
  return null;
}

export async function readDatasetFile(path: string): Promise<NormalisedRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new LatheError('not_found', `Cannot read dataset file ${path}.`, { path });
  }
  let rows: unknown[];
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    try {
      rows = JSON.parse(text) as unknown[];
    } catch (e) {
      throw new LatheError('bad_input', `${path} is not valid JSON: ${(e as Error).message}`, { path });
    }
  } else {
    rows = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (!line) continue;
      try {
        rows.push(JSON.parse(line));
      } catch {
        throw new LatheError('bad_input', `${path} line ${i + 1} is not valid JSON.`, { path, line: i + 1 });
      }
    }
  }
  return rows.map((row, i) => {
    const rec = rowToRecord(row);
    if (!rec) throw new LatheError('bad_input', `Row ${i + 1} of ${path} is not a record Lathe recognises (alpaca, sharegpt, messages or text).`, { path, row: i + 1 });
    return rec;
  });
}
