// A window of a source file's rows from row N, read from the nearest row of its sparse offset index
// (row-offset-index.ts) when the file is a delimited table or jsonl in an encoding that allows it, else streamed
// from the start (source-window.ts). Indexes are built the first time a file is read this way and kept per
// fingerprint (SHA-256), found again by path, size and modification time. Rows are read as the file's reader reads
// them (the same tokenizer, header and column naming, the same jsonl problems); at anything irregular it falls back
// to streaming from the start. Runs in source-window-worker.ts; it keeps nothing besides the indexes.
import fs from 'node:fs';
import type { ReaderOptions, SourceInspection } from '../../preload/contract/datasets.js';
import { sniffDialect } from './readers/csv-dialect.js';
import { completeRows } from './readers/csv-tokenizer.js';
import { decodeAll, readHead, textDecoder, throwIfAborted } from './readers/decoded-text.js';
import { JSONL_READER_CODES } from './readers/jsonl-reader.js';
import { asRecordValues, NotARecord } from './readers/object-records.js';
import type { SourceItem } from './readers/source-types.js';
import { TableRowNamer } from './readers/table-rows.js';
import { buildRowOffsetIndex, INDEX_EVERY, indexableEncoding, nearestIndexed, type RowOffsetIndex, type RowSyntax } from './row-offset-index.js';
import { readWindow, type WindowStart } from './source-window.js';

/** What a window read needs from the file's inspection (the cached sample's). */
export type WindowInspection = Pick<SourceInspection, 'format' | 'encoding' | 'delimiter' | 'headerRow' | 'columns'>;

export interface WindowRequest {
  readonly file: string;
  readonly options: ReaderOptions;
  readonly inspection: WindowInspection;
  readonly start: WindowStart;
  readonly limit: number;
}

/** How a window was read (the benchmark and tests look). */
export type WindowRoute = 'indexed' | 'streamed';

/** Indexes by fingerprint, and fingerprints by (path, size, mtime) so a later jump need not hash the file again. */
export class RowIndexCache {
  private readonly byHash = new Map<string, RowOffsetIndex>();
  private readonly hashOf = new Map<string, string>();
  constructor(
    private readonly capacity = 8,
    /** Rows between indexed rows. */
    readonly every = INDEX_EVERY,
  ) {}

  get(statKey: string): RowOffsetIndex | undefined {
    const h = this.hashOf.get(statKey);
    return h ? this.byHash.get(h) : undefined;
  }

  set(statKey: string, index: RowOffsetIndex): void {
    this.hashOf.set(statKey, index.sha256);
    this.byHash.delete(index.sha256);
    this.byHash.set(index.sha256, index);
    while (this.byHash.size > this.capacity) this.byHash.delete(this.byHash.keys().next().value!);
    while (this.hashOf.size > this.capacity * 4) this.hashOf.delete(this.hashOf.keys().next().value!);
  }
}

const CSV_FORMATS = new Set(['csv', 'tsv', 'txt']);

/** The row syntax of an indexable file, or undefined. */
async function rowSyntax(req: WindowRequest): Promise<RowSyntax | undefined> {
  const { format, encoding, delimiter } = req.inspection;
  if (!encoding) return undefined;
  let syntax: RowSyntax;
  if (format === 'jsonl') syntax = { kind: 'lines' };
  else if (CSV_FORMATS.has(format) && delimiter) {
    // The line ending is the reader's (csv-reader.ts sniffs it from the first 256 KiB the same way).
    const head = decodeAll(await readHead(req.file, 256 * 1024), encoding);
    const d = sniffDialect(head, format === 'tsv' ? '\t' : undefined);
    if (!d.tabular || d.delimiter !== delimiter) return undefined;
    syntax = { kind: 'csv', delimiter, newline: d.newline };
  } else return undefined;
  return indexableEncoding(encoding, syntax) ? syntax : undefined;
}

export async function readSourceWindow(req: WindowRequest, indexes: RowIndexCache, signal?: AbortSignal): Promise<{ items: SourceItem[]; route: WindowRoute }> {
  const streamed = async () => ({ items: await readWindow(req.file, req.options, req.start, req.limit, signal), route: 'streamed' as const });
  // An offset counts items, not rows: no row index helps.
  if (req.start.fromRow === undefined) return streamed();
  const syntax = await rowSyntax(req);
  if (!syntax) return streamed();
  const st = await fs.promises.stat(req.file);
  const statKey = JSON.stringify([req.file, st.size, st.mtimeMs, st.ino, syntax]);
  let index = indexes.get(statKey);
  if (!index) {
    index = await buildRowOffsetIndex(req.file, syntax, signal, indexes.every);
    indexes.set(statKey, index);
  }
  const header = syntax.kind === 'csv' ? (req.inspection.headerRow ?? 1) : 0;
  const from = nearestIndexed(index, req.start.fromRow, header);
  if (!from) return streamed();
  const items = await readFromOffset(req, syntax, from, req.start.fromRow, signal);
  return items ? { items, route: 'indexed' } : streamed();
}

/** Items from `fromRow` on, reading from a row start; null at anything the reader would read leniently. */
async function readFromOffset(req: WindowRequest, syntax: RowSyntax, at: { row: number; offset: number }, fromRow: number, signal?: AbortSignal): Promise<SourceItem[] | null> {
  const out: SourceItem[] = [];
  const decoder = textDecoder(req.inspection.encoding!);
  const stream = fs.createReadStream(req.file, { start: at.offset, highWaterMark: 1 << 16 });
  const namer = syntax.kind === 'csv' ? new TableRowNamer({ headerRow: req.inspection.headerRow ?? 1, columns: [...req.inspection.columns], buffered: [], nonBlankRows: 0 }, { blankRows: 0 }) : undefined;
  let row = at.row - 1;
  let pending = '';
  const take = (item: SourceItem | null) => {
    if (item && item.row >= fromRow) out.push(item);
    return out.length >= req.limit;
  };
  /** Handles the complete rows of `text`; false when the text is irregular, else whether the window is full. */
  const rows = (text: string): boolean | null => {
    if (syntax.kind === 'lines') {
      const parts = text.split('\n');
      pending = parts.pop()!;
      for (const p of parts) if (take(jsonlItem(p, ++row))) return true;
      return false;
    }
    const done = completeRows(text, syntax.delimiter, syntax.newline);
    if (!done) return null;
    for (const cells of done.rows) if (take(namer!.item({ row: ++row, cells }))) return true;
    pending = text.slice(done.cursor);
    return false;
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      throwIfAborted(signal);
      const r = rows(pending + decoder.decode(chunk, { stream: true }));
      if (r === null) return null;
      if (r) return out;
    }
    const tail = pending + decoder.decode();
    if (tail === '') return out;
    if (syntax.kind === 'lines') {
      take(jsonlItem(tail, ++row));
      return out;
    }
    // The last row without a line ending (the reader gives it to papaparse): regular text reads the same.
    if (rows(tail + syntax.newline) === null || pending !== '') return null;
    return out;
  } finally {
    stream.destroy();
  }
}

type JsonlCode = (typeof JSONL_READER_CODES)[number];

/** A jsonl line as jsonl-reader.ts reads it: a record, a problem, or null when blank. */
function jsonlItem(raw: string, line: number): SourceItem | null {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const detail = (err as Error).message;
    return { type: 'problem', row: line, message: `Line ${line} is not valid JSON: ${detail}`, code: 'dataset.lineNotJson' satisfies JsonlCode, params: { line, detail } };
  }
  const values = asRecordValues(parsed);
  if (values instanceof NotARecord) return { type: 'problem', row: line, message: `Line ${line}: ${values.message}`, code: 'dataset.lineNotObject' satisfies JsonlCode, params: { line, found: values.found } };
  return { type: 'record', row: line, values };
}
