// Streaming reader for .json files holding an array of objects (plain exports, LLaMA-Factory alpaca/sharegpt files).
// Rows are numbered array index + 1. It does not interpret the fields; mapping does.
import fs from 'node:fs';
import { LatheError } from '../../../preload/contract/errors.js';
import { decodedChunks, readHead, throwIfAborted } from './decoded-text.js';
import { detectEncoding } from './encoding-detector.js';
import { jsonArrayElements, NotAnArrayError } from './json-array-stream.js';
import { asRecordValues, NotARecord, objectRecords, readObjectHead } from './object-records.js';
import type { OpenedSource, ReadOptions, SourceItem } from './source-types.js';

/** Codes of this reader's problems (the renderer translates `main.<code>`; a test checks). */
export const JSON_READER_CODES = ['dataset.itemNotJson', 'dataset.itemNotObject'] as const;
type JsonReaderCode = (typeof JSON_READER_CODES)[number];

export async function openJson(file: string, opts: ReadOptions = {}): Promise<OpenedSource> {
  const size = (await fs.promises.stat(file)).size;
  const encoding = detectEncoding(await readHead(file, 64 * 1024), opts.encoding);
  const it = items(file, encoding.encoding, opts)[Symbol.asyncIterator]();
  const head = await readObjectHead(it);
  let consumed = false;
  return {
    file,
    format: 'json',
    size,
    columns: head.columns,
    encoding,
    stats: { blankRows: 0 },
    async *records() {
      if (consumed) throw new Error('records() can be iterated once');
      consumed = true;
      yield* objectRecords(head, it);
    },
  };
}

async function* items(file: string, encoding: string, opts: ReadOptions): AsyncGenerator<SourceItem> {
  try {
    for await (const el of jsonArrayElements(decodedChunks(file, encoding, opts))) {
      if ((el.index & 1023) === 0) throwIfAborted(opts.signal);
      const row = el.index + 1;
      let parsed: unknown;
      try {
        parsed = JSON.parse(el.text);
      } catch (err) {
        const detail = (err as Error).message;
        yield { type: 'problem', row, message: `Item ${row} is not valid JSON: ${detail}`, code: 'dataset.itemNotJson' satisfies JsonReaderCode, params: { row, detail } };
        continue;
      }
      const values = asRecordValues(parsed);
      if (values instanceof NotARecord) yield { type: 'problem', row, message: `Item ${row}: ${values.message}`, code: 'dataset.itemNotObject' satisfies JsonReaderCode, params: { row, found: values.found } };
      else yield { type: 'record', row, values };
    }
  } catch (err) {
    if (err instanceof NotAnArrayError) throw new LatheError('bad_input', `${file}: ${err.message}`, { file });
    throw err;
  }
}
