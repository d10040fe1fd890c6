// A sparse index of a text source's rows: the byte offset where every 4,096th row starts, found by one pass over
// the raw bytes that also hashes them (the file's fingerprint, as file-fingerprint.ts computes it), so a jump to
// row N reads from the nearest indexed row instead of from the start. Rows are counted as the csv reader numbers
// them (csv-tokenizer.ts: quotes matter only at a field's start) or as jsonl lines; at text that tokenizer would hand
// to papaparse (a quote closed before other text) the index stops, so it never points past a row it cannot vouch
// for. It does not decode or parse rows (indexed-window.ts does).
import { fingerprint } from './file-fingerprint.js';

export const INDEX_EVERY = 4096;

/** How rows end: a delimited table's dialect, or one record per line. */
export type RowSyntax = { readonly kind: 'csv'; readonly delimiter: string; readonly newline: '\r\n' | '\n' | '\r' } | { readonly kind: 'lines' };

export interface RowOffsetIndex {
  readonly sha256: string;
  readonly size: number;
  readonly every: number;
  /** rows[k] starts at byte offsets[k]; rows[k] = 1 + k × every. */
  readonly offsets: readonly number[];
  /** Rows counted before the end or before the index stopped. */
  readonly rows: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
enum S {
  Start,
  Unquoted,
  Quoted,
  AfterQuote,
  UnquotedCr,
  AfterQuoteCr,
  Stopped,
}

/** Feeds bytes in order; records where each `every`-th row starts. */
export class RowOffsetScanner {
  private state = S.Start;
  private row = 1;
  private pos = 0;
  readonly offsets: number[] = [0];
  private readonly delim: number;
  private readonly nl: 'crlf' | 'lf' | 'cr';

  constructor(
    private readonly syntax: RowSyntax,
    private readonly every = INDEX_EVERY,
  ) {
    this.delim = syntax.kind === 'csv' ? syntax.delimiter.charCodeAt(0) : -1;
    this.nl = syntax.kind === 'lines' ? 'lf' : syntax.newline === '\r\n' ? 'crlf' : syntax.newline === '\n' ? 'lf' : 'cr';
  }

  /** Rows counted so far (the row being read included). */
  get rows(): number {
    return this.row;
  }

  get stopped(): boolean {
    return this.state === S.Stopped;
  }

  private rowEnd(nextRowAt: number): void {
    this.row++;
    this.state = S.Start;
    if ((this.row - 1) % this.every === 0) this.offsets.push(nextRowAt);
  }

  feed(buf: Uint8Array): void {
    if (this.state === S.Stopped) return;
    const base = this.pos;
    this.pos += buf.length;
    if (this.syntax.kind === 'lines') {
      for (let i = buf.indexOf(LF); i !== -1; i = buf.indexOf(LF, i + 1)) this.rowEnd(base + i + 1);
      return;
    }
    const { delim, nl } = this;
    let st: S = this.state;
    const n = buf.length;
    for (let i = 0; i < n; i++) {
      const b = buf[i]!;
      if (st === S.Start) {
        if (b === QUOTE) {
          st = S.Quoted;
          continue;
        }
        // Any other first byte is an unquoted field's.
        st = S.Unquoted;
      }
      switch (st) {
        case S.Unquoted:
          if (b === delim) st = S.Start;
          else if (b === LF && nl === 'lf') (this.rowEnd(base + i + 1), (st = S.Start));
          else if (b === CR && nl === 'cr') (this.rowEnd(base + i + 1), (st = S.Start));
          else if (b === CR && nl === 'crlf') st = S.UnquotedCr;
          else st = S.Unquoted;
          break;
        case S.UnquotedCr:
          // A lone CR in a CRLF file is text; the byte after it is read as an unquoted field's.
          if (b === LF) (this.rowEnd(base + i + 1), (st = S.Start));
          else if (b === delim) st = S.Start;
          else if (b !== CR) st = S.Unquoted;
          break;
        case S.Quoted:
          if (b === QUOTE) st = S.AfterQuote;
          break;
        case S.AfterQuote:
          if (b === QUOTE) st = S.Quoted;
          else if (b === delim) st = S.Start;
          else if (b === LF && nl === 'lf') (this.rowEnd(base + i + 1), (st = S.Start));
          else if (b === CR && nl === 'cr') (this.rowEnd(base + i + 1), (st = S.Start));
          else if (b === CR && nl === 'crlf') st = S.AfterQuoteCr;
          else st = S.Stopped;
          break;
        case S.AfterQuoteCr:
          if (b === LF) (this.rowEnd(base + i + 1), (st = S.Start));
          else st = S.Stopped;
          break;
      }
      if (st === S.Stopped) break;
    }
    this.state = st;
  }
}

/**
 * Whether rows of text in `encoding` can be found in its bytes: the quote, line endings and delimiter must never
 * occur inside another character (true of UTF-8 and single-byte encodings; of the CJK ones for delimiters below 0x40).
 */
export function indexableEncoding(encoding: string, syntax: RowSyntax): boolean {
  const e = encoding.toLowerCase();
  if (e === 'utf-8' || e.startsWith('windows-') || e.startsWith('iso-8859-')) return true;
  const delimOk = syntax.kind === 'lines' || syntax.delimiter.charCodeAt(0) < 0x40;
  return delimOk && ['gbk', 'gb18030', 'big5', 'shift_jis', 'euc-jp', 'euc-kr'].includes(e);
}

/** One pass over the file: its SHA-256 and the offsets of every `every`-th row. */
export async function buildRowOffsetIndex(file: string, syntax: RowSyntax, signal?: AbortSignal, every = INDEX_EVERY): Promise<RowOffsetIndex> {
  const scanner = new RowOffsetScanner(syntax, every);
  const { sha256, size } = await fingerprint(file, signal, (chunk) => scanner.feed(chunk));
  return { sha256, size, every, offsets: scanner.offsets, rows: scanner.rows };
}

/** The indexed row at or before `row` (and after `after`, the header), with its byte offset; undefined when none. */
export function nearestIndexed(index: RowOffsetIndex, row: number, after: number): { row: number; offset: number } | undefined {
  let k = Math.min(Math.floor((row - 1) / index.every), index.offsets.length - 1);
  if (k < 0) return undefined;
  const at = 1 + k * index.every;
  if (at <= after) return undefined;
  return { row: at, offset: index.offsets[k]! };
}
