// Shared tail of the JSON-like readers (json, jsonl, parquet): column names are the union of keys seen in the
// first records, later keys are added as they appear. It does not read files.
import type { CellValue, SourceItem } from './source-types.js';

export const COLUMN_LOOKAHEAD = 200;

export interface ObjectHead {
  readonly columns: string[];
  readonly buffered: SourceItem[];
}

/** Reads up to COLUMN_LOOKAHEAD items to learn the columns. */
export async function readObjectHead(it: AsyncIterator<SourceItem>): Promise<ObjectHead> {
  const buffered: SourceItem[] = [];
  const columns: string[] = [];
  const seen = new Set<string>();
  let records = 0;
  while (records < COLUMN_LOOKAHEAD) {
    const n = await it.next();
    if (n.done) break;
    buffered.push(n.value);
    if (n.value.type !== 'record') continue;
    records++;
    for (const k of Object.keys(n.value.values)) if (!seen.has(k)) (seen.add(k), columns.push(k));
  }
  return { columns, buffered };
}

export async function* objectRecords(head: ObjectHead, it: AsyncIterator<SourceItem>): AsyncGenerator<SourceItem> {
  const seen = new Set(head.columns);
  yield* head.buffered;
  for (;;) {
    const n = await it.next();
    if (n.done) return;
    if (n.value.type === 'record') for (const k of Object.keys(n.value.values)) if (!seen.has(k)) (seen.add(k), head.columns.push(k));
    yield n.value;
  }
}

/** Why a parsed JSON value is not a record: what was found instead (`found` is an id the renderer translates). */
export class NotARecord {
  readonly found: 'list' | 'null' | 'string' | 'number' | 'boolean';
  constructor(v: unknown) {
    this.found = Array.isArray(v) ? 'list' : v === null ? 'null' : (typeof v as 'string' | 'number' | 'boolean');
  }
  get message(): string {
    return `Expected an object with named fields, found ${this.found === 'list' ? 'a list' : this.found}.`;
  }
}

/** A parsed JSON value as a record, or why it is not one. */
export function asRecordValues(v: unknown): Record<string, CellValue> | NotARecord {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return new NotARecord(v);
  return v as Record<string, CellValue>;
}
