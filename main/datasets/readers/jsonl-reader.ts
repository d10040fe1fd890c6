// Streaming reader for .jsonl (one JSON object per line). A bad line is reported with its line number and the rest
// is imported. It does not interpret the fields.
import fs from 'node:fs';
import { decodedChunks, readHead, throwIfAborted } from './decoded-text.js';
import { detectEncoding } from './encoding-detector.js';
import { asRecordValues, NotARecord, objectRecords, readObjectHead } from './object-records.js';
import type { OpenedSource, ReadOptions, ReadStats, SourceItem } from './source-types.js';

/** Codes of this reader's problems (the renderer translates `main.<code>`; a test checks). */
export const JSONL_READER_CODES = ['dataset.lineNotJson', 'dataset.lineNotObject'] as const;
type JsonlReaderCode = (typeof JSONL_READER_CODES)[number];

export async function openJsonl(file: string, opts: ReadOptions = {}): Promise<OpenedSource> {
  const size = (await fs.promises.stat(file)).size;
  const encoding = detectEncoding(await readHead(file, 64 * 1024), opts.encoding);
  const stats: ReadStats = { blankRows: 0 };
  const it = items(file, encoding.encoding, opts, stats)[Symbol.asyncIterator]();
  const head = await readObjectHead(it);
  let consumed = false;
  return {
    file,
    format: 'jsonl',
    size,
    columns: head.columns,
    encoding,
    stats,
    async *records() {
      if (consumed) throw new Error('records() can be iterated once');
      consumed = true;
      yield* objectRecords(head, it);
    },
  };
}

async function* lines(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + chunk;
    const parts = text.split('\n');
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest) yield rest;
}

async function* items(file: string, encoding: string, opts: ReadOptions, stats: ReadStats): AsyncGenerator<SourceItem> {
  let line = 0;
  let pendingBlank = 0;
  for await (const raw of lines(decodedChunks(file, encoding, opts))) {
    line++;
    if ((line & 1023) === 0) throwIfAborted(opts.signal);
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') {
      pendingBlank++;
      continue;
    }
    stats.blankRows += pendingBlank;
    pendingBlank = 0;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      const detail = (err as Error).message;
      yield { type: 'problem', row: line, message: `Line ${line} is not valid JSON: ${detail}`, code: 'dataset.lineNotJson' satisfies JsonlReaderCode, params: { line, detail } };
      continue;
    }
    const values = asRecordValues(parsed);
    if (values instanceof NotARecord) yield { type: 'problem', row: line, message: `Line ${line}: ${values.message}`, code: 'dataset.lineNotObject' satisfies JsonlReaderCode, params: { line, found: values.found } };
    else yield { type: 'record', row: line, values };
  }
}
