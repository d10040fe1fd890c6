// Streaming reader for delimited text (.csv, .tsv, .txt): detected encoding and delimiter, quoted multi-line
// fields, header detection. Rows are numbered as a spreadsheet app shows the file. It does not map or store.
import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { LatheError } from '../../../preload/contract/errors.js';
import { sniffDialect } from './csv-dialect.js';
import { completeRows } from './csv-tokenizer.js';
import { decodeAll, decodedChunks, readHead } from './decoded-text.js';
import { detectEncoding } from './encoding-detector.js';
import type { RawRow } from './header-detector.js';
import type { OpenedSource, ReadOptions, ReadStats, SourceFormat, SourceItem } from './source-types.js';
import { readTableHead, RowBatchReader, TableRowNamer } from './table-rows.js';
import { openTextLines } from './text-lines-reader.js';

const SAMPLE_BYTES = 256 * 1024;

/** Codes of this reader's problems (the renderer translates `main.<code>`; a test checks). */
export const CSV_READER_CODES = ['dataset.unclosedQuote'] as const;
type CsvProblem = { row: number; message: string; code: (typeof CSV_READER_CODES)[number] };

export async function openCsv(file: string, opts: ReadOptions = {}): Promise<OpenedSource> {
  const ext = path.extname(file).toLowerCase();
  const format: SourceFormat = ext === '.tsv' ? 'tsv' : ext === '.txt' ? 'txt' : 'csv';
  const size = (await fs.promises.stat(file)).size;
  const head = await readHead(file, SAMPLE_BYTES);
  const encoding = detectEncoding(head, opts.encoding);
  if (!encoding.encoding.startsWith('utf-16') && looksBinary(head)) {
    throw new LatheError('bad_input', `${file} looks like a binary file, not text. Lathe reads .xlsx, .csv/.tsv/.txt, .json, .jsonl and .parquet files.`, { file });
  }
  const sample = decodeAll(head, encoding.encoding);
  const dialect = sniffDialect(sample, format === 'tsv' ? '\t' : undefined);
  // A .txt file that is not a table is plain text, one record per line (as LLaMA-Factory reads .txt files).
  if (format === 'txt' && !dialect.tabular) return openTextLines(file, size, encoding, opts);
  const stats: ReadStats = { blankRows: 0 };
  const problems: CsvProblem[] = [];
  const it = new RowBatchReader(csvRowBatches(file, encoding.encoding, dialect.delimiter, dialect.newline, opts, problems));
  const tableHead = await readTableHead(it, opts.headerRow);
  let consumed = false;
  async function* recordBatches(): AsyncGenerator<readonly SourceItem[]> {
    if (consumed) throw new Error('records() can be iterated once');
    consumed = true;
    const namer = new TableRowNamer(tableHead, stats);
    const first = namer.items(tableHead.buffered);
    if (first.length > 0) yield first;
    for await (const rows of it.batches()) {
      const items = namer.items(rows);
      if (items.length > 0) yield items;
    }
    if (problems.length > 0) yield problems.map((p): SourceItem => ({ type: 'problem', row: p.row, message: p.message, code: p.code, params: {} }));
  }
  return {
    file,
    format,
    size,
    columns: tableHead.columns,
    encoding,
    delimiter: dialect.delimiter,
    headerRow: tableHead.headerRow,
    stats,
    async *records() {
      for await (const items of recordBatches()) yield* items;
    },
    recordBatches,
  };
}

/** NUL bytes or many control characters in the first bytes: not a text file. */
function looksBinary(b: Uint8Array): boolean {
  const n = Math.min(b.length, 8192);
  let ctrl = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c === 0) return true;
    if (c < 9 || (c > 13 && c < 32)) ctrl++;
  }
  return ctrl > n * 0.05;
}

/** Every record of the file as raw rows, a decoded chunk's worth at a time; an unterminated quote at the end is reported, not thrown. */
async function* csvRowBatches(
  file: string,
  encoding: string,
  delimiter: string,
  newline: '\r\n' | '\n' | '\r',
  opts: ReadOptions,
  problems: CsvProblem[],
): AsyncGenerator<readonly RawRow[]> {
  const parser = new Papa.Parser({ delimiter, newline, quoteChar: '"', escapeChar: '"' });
  let pending = '';
  let row = 0;
  for await (const chunk of decodedChunks(file, encoding, opts)) {
    const text = pending ? pending + chunk : chunk;
    // The regular case by our tokenizer (twice papaparse's speed, the same rows); papaparse for lenient reading.
    let done = completeRows(text, delimiter, newline);
    if (!done) {
      const res = parser.parse(text, 0, true) as Papa.ParseResult<string[]>;
      done = { rows: res.data, cursor: res.meta.cursor };
    }
    const batch: RawRow[] = new Array(done.rows.length);
    for (let i = 0; i < done.rows.length; i++) batch[i] = { row: ++row, cells: done.rows[i]! };
    pending = text.slice(done.cursor);
    if (batch.length > 0) yield batch;
  }
  if (pending) {
    const res = parser.parse(pending, 0, false) as Papa.ParseResult<string[]>;
    const startRow = row;
    yield res.data.map((cells) => ({ row: ++row, cells }));
    for (const e of res.errors) {
      if (e.code === 'MissingQuotes') problems.push({ row: startRow + (e.row ?? 0) + 1, message: 'A quoted field is never closed: the rest of the file was read as one field.', code: 'dataset.unclosedQuote' });
    }
  }
}
