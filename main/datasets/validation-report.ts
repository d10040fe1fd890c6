// Accumulates the validation report over a stream of mapped rows: per-row problems, exact and whitespace-only
// duplicates, suspected mojibake, per-column empty counts and lengths. It does not read files or write the DB.
import type { Mapping, NormalisedRecord, Problem, ValidationReport } from '../../preload/contract/datasets.js';
import { scanJson, type JsonScan } from './content-hash.js';
import { recordJson } from './record-json.js';
import { DuplicateIndex } from './duplicate-index.js';
import { looksLikeMojibake } from './mojibake-detector.js';
import type { MappedRecord } from './record-mapper.js';
import { validateRecord } from './record-validator.js';
import { isBlankText } from './readers/header-detector.js';
import type { CellValue, SourceProblem } from './readers/source-types.js';

export const MAX_LISTED_PROBLEMS = 1000;
const NONE: readonly never[] = [];
const MAX_LISTED_ROWS = 100;

interface ColumnAcc {
  empty: number;
  min: number;
  max: number;
  sum: number;
  n: number;
}

/** One checked row. check() returns the same object each time, refilled: use it before the next call. */
export interface CheckedRow {
  ok: boolean;
  record: NormalisedRecord | null;
  json: string;
  /** cyrb53 of `json`, stored as hex53(exact) (content-hash.ts): formatted where it is written, off this thread. */
  exact: number;
  problems: readonly Problem[];
}

export class ValidationAccumulator {
  private rows = 0;
  private valid = 0;
  private problemCount = 0;
  private readonly problems: Problem[] = [];
  private readonly dups = new DuplicateIndex();
  private exactDuplicates = 0;
  private normalisedDuplicates = 0;
  private readonly duplicatePairs: [number, number][] = [];
  private readonly mojibakeRows: number[] = [];
  private readonly columns = new Map<string, ColumnAcc>();
  private readonly columnNames: string[];
  private readonly columnAccs: ColumnAcc[];
  private readonly scan: JsonScan = { exact: 0, norm: 0, suspect: false };
  private readonly out: CheckedRow = { ok: false, record: null, json: '', exact: 0, problems: NONE };

  constructor(
    private readonly mapping: Mapping,
    columns: readonly string[],
  ) {
    for (const c of columns) this.columns.set(c, { empty: 0, min: Infinity, max: 0, sum: 0, n: 0 });
    this.columnNames = [...this.columns.keys()];
    this.columnAccs = [...this.columns.values()];
  }

  /** A row the reader could not read (bad jsonl line, unterminated quote …). */
  unreadable(p: SourceProblem): void {
    this.rows++;
    this.note({ row: p.row, message: p.message, code: p.code, params: p.params, ...(p.column ? { column: p.column } : {}) });
  }

  /** Checks one mapped row; the caller keeps or skips it by `ok`. */
  check(row: number, values: Readonly<Record<string, CellValue>>, mapped: MappedRecord): CheckedRow {
    this.columnStats(values);
    const problems = this.problemsOf(row, mapped);
    // The JSON text is built and scanned in one pass: both hashes, and whether the mojibake patterns can match at all.
    const json = mapped.record ? recordJson(mapped.record, this.scan) : '';
    const scan = mapped.record ? this.scan : scanJson(json, this.scan);
    const exact = scan.exact;
    if (mapped.record && problems.length === 0) {
      this.valid++;
      const dup = this.dups.add(scan.norm, exact, row);
      if (dup) {
        if (dup.kind === 'exact') this.exactDuplicates++;
        else this.normalisedDuplicates++;
        if (this.duplicatePairs.length < MAX_LISTED_ROWS) this.duplicatePairs.push([row, dup.row]);
      }
      if (scan.suspect && this.mojibakeRows.length < MAX_LISTED_ROWS && looksLikeMojibake(json)) this.mojibakeRows.push(row);
    }
    const out = this.out;
    out.ok = mapped.record !== null && problems.length === 0;
    out.record = mapped.record;
    out.json = json;
    out.exact = exact;
    out.problems = problems;
    return out;
  }

  /**
   * An import's check: counts the row and notes its problems (the row is kept when there are none and it has a
   * record). No column statistics, JSON, hashes, duplicates or mojibake: an import reports problems only, and its
   * rows' JSON and hashes are built where they are written (record-json.ts). A report of such rows gives rows,
   * problems and problemCount; nothing else in it counts them.
   */
  checkProblems(row: number, mapped: MappedRecord): readonly Problem[] {
    return this.problemsOf(row, mapped);
  }

  private problemsOf(row: number, mapped: MappedRecord): readonly Problem[] {
    this.rows++;
    const recordProblems = mapped.record ? validateRecord(mapped.record, this.mapping) : NONE;
    if (mapped.problems.length + recordProblems.length === 0) return NONE;
    const listed: Problem[] = [];
    for (const p of [...mapped.problems, ...recordProblems]) listed.push(p.column ? { row, column: p.column, message: p.message, code: p.code, params: p.params } : { row, message: p.message, code: p.code, params: p.params });
    for (const p of listed) this.note(p);
    return listed;
  }

  finish(blankRows: number): ValidationReport {
    return {
      rows: this.rows,
      validRows: this.valid,
      blankRows,
      problems: this.problems,
      problemCount: this.problemCount,
      exactDuplicates: this.exactDuplicates,
      normalisedDuplicates: this.normalisedDuplicates,
      duplicatePairs: this.duplicatePairs,
      mojibakeRows: this.mojibakeRows,
      columns: [...this.columns].map(([column, a]) => ({
        column,
        empty: a.empty,
        minLength: a.n ? a.min : 0,
        maxLength: a.max,
        meanLength: a.n ? Math.round((a.sum / a.n) * 10) / 10 : 0,
      })),
    };
  }

  private note(p: Problem): void {
    this.problemCount++;
    if (this.problems.length < MAX_LISTED_PROBLEMS) this.problems.push(p);
  }

  private columnStats(values: Readonly<Record<string, CellValue>>): void {
    const names = this.columnNames;
    const accs = this.columnAccs;
    for (let i = 0; i < names.length; i++) {
      const c = names[i]!;
      const a = accs[i]!;
      const v = values[c];
      if (v === null || v === undefined || (typeof v === 'string' && isBlankText(v))) {
        a.empty++;
        continue;
      }
      const len = typeof v === 'string' ? v.length : typeof v === 'number' || typeof v === 'boolean' ? String(v).length : -1;
      if (len < 0) continue;
      a.n++;
      a.sum += len;
      if (len < a.min) a.min = len;
      if (len > a.max) a.max = len;
    }
  }
}
