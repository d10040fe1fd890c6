// The shapes every reader produces: a described source (columns, sheets, encoding) and a stream of raw records
// numbered as a person sees the file. Readers do not map, validate or store anything.

/** A raw cell value as read: text, exact number as text-safe JS number, boolean, ISO date string, or nested JSON. */
export type CellValue = string | number | boolean | null | readonly unknown[] | { readonly [k: string]: unknown };

export type SourceFormat = 'xlsx' | 'csv' | 'tsv' | 'txt' | 'json' | 'jsonl' | 'parquet';

export interface SheetInfo {
  readonly name: string;
  /** Non-blank rows in the sheet (title rows and header included). */
  readonly rows: number;
  /** Whether the sheet looks like a table (a header row followed by at least one data row). */
  readonly looksLikeTable: boolean;
}

export interface EncodingGuess {
  readonly encoding: string;
  /** How it was chosen: 'bom', 'utf8', 'heuristic', 'fallback' or 'user'. */
  readonly reason: 'bom' | 'utf8' | 'heuristic' | 'fallback' | 'user';
  readonly hasBom: boolean;
}

export interface ReadOptions {
  /** Encoding override for text files (any WHATWG label, e.g. 'gbk', 'big5', 'shift_jis'). */
  readonly encoding?: string;
  /** Sheet name (xlsx); default: the first sheet that looks like a table. */
  readonly sheet?: string;
  /** 1-based header row override for tables (xlsx/csv). */
  readonly headerRow?: number;
  readonly signal?: AbortSignal;
  /** Called now and then with bytes consumed of the source file. */
  readonly onProgress?: (bytesRead: number) => void;
}

/** One record as read, `row` being the row a person sees (spreadsheet row, jsonl line, json index + 1). */
export interface SourceRecord {
  readonly type: 'record';
  readonly row: number;
  readonly values: Readonly<Record<string, CellValue>>;
}

/** Something that could not be read as a record (a bad jsonl line, a ragged csv row …). */
export interface SourceProblem {
  readonly type: 'problem';
  readonly row: number;
  readonly column?: string;
  readonly message: string;
  /** Translatable form of `message` (preload/contract/message-code.ts); each reader exports its codes. */
  readonly code: string;
  readonly params: Readonly<Record<string, string | number>>;
}

export type SourceItem = SourceRecord | SourceProblem;

/** Counters a reader fills while its records are iterated. */
export interface ReadStats {
  blankRows: number;
}

export interface OpenedSource {
  readonly file: string;
  readonly format: SourceFormat;
  readonly size: number;
  readonly columns: readonly string[];
  readonly encoding?: EncodingGuess;
  readonly delimiter?: string;
  readonly sheets?: readonly SheetInfo[];
  readonly sheet?: string;
  /** 1-based row of the header (tables only). */
  readonly headerRow?: number;
  readonly stats: ReadStats;
  /** Iterates every record after the header, once. */
  records(): AsyncGenerator<SourceItem>;
  /**
   * The same records in batches (one await per batch, not per record: what bulk imports use). Optional; a source
   * is iterated once, by this or by records().
   */
  recordBatches?(): AsyncGenerator<readonly SourceItem[]>;
}
