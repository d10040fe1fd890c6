// Turns a stream of raw table rows (csv records, sheet rows) into named records: finds the header in the first
// rows, skips and counts blank rows between data rows, ignores trailing blank rows. It does not parse files.
import { columnLetter, columnNames, detectHeaderIndex, nonBlankCount, uniqueName, type RawRow } from './header-detector.js';
import type { CellValue, ReadStats, SourceItem } from './source-types.js';

export const HEADER_LOOKAHEAD = 30;

export interface TableHead {
  readonly headerRow: number;
  readonly columns: string[];
  /** Data rows already read while looking for the header. */
  readonly buffered: RawRow[];
  /** Non-blank rows seen so far (title + header + buffered data). */
  readonly nonBlankRows: number;
}

/** Reads up to HEADER_LOOKAHEAD rows from `it` and decides the header (or takes `headerRow` if given). */
export async function readTableHead(it: AsyncIterator<RawRow>, headerRow?: number): Promise<TableHead> {
  const rows: RawRow[] = [];
  const limit = headerRow ? Math.max(headerRow + 5, HEADER_LOOKAHEAD) : HEADER_LOOKAHEAD;
  while (rows.length < limit) {
    const r = await it.next();
    if (r.done) break;
    if (nonBlankCount(r.value.cells) > 0) rows.push(r.value);
    if (headerRow && r.value.row > headerRow + 5 && rows.length >= 2) break;
  }
  let idx = headerRow ? rows.findIndex((r) => r.row === headerRow) : detectHeaderIndex(rows);
  if (idx < 0) idx = headerRow ? rows.findIndex((r) => r.row > headerRow) - 1 : 0;
  if (idx < 0) idx = 0;
  const header = rows[idx];
  return {
    headerRow: header?.row ?? headerRow ?? 1,
    columns: header ? columnNames(header.cells) : [],
    buffered: rows.slice(idx + 1),
    nonBlankRows: rows.length,
  };
}

type ValuesOf = (cells: readonly CellValue[]) => Record<string, CellValue>;

/**
 * `cells => ({"col 1": cells[0] ?? null, …})` for these columns: the object item() builds, key for key, made as one
 * literal (one shape, no transitions) rather than by a store per column under varying names — about half the time
 * for the 4-column bench file (40 vs 70 ms per 1M rows measured alone). Null where a literal could differ (a column
 * named `__proto__`, which an assignment treats as the prototype) or code cannot be generated.
 */
function valuesBuilder(columns: readonly string[]): ValuesOf | null {
  if (columns.length === 0 || columns.length > 256 || columns.includes('__proto__')) return null;
  try {
    return new Function('c', `return {${columns.map((k, i) => `${JSON.stringify(k)}: c[${i}] ?? null`).join(', ')}};`) as ValuesOf;
  } catch {
    return null;
  }
}

/** Names the cells of data rows after the header; blank rows count only when data follows them. Synchronous. */
export class TableRowNamer {
  private readonly columns: string[];
  private readonly used: Set<string>;
  private lastRow: number;
  private valuesOf: ValuesOf | null = null;
  /** How many columns `valuesOf` was built for (-1: not built); extra cells add columns. */
  private builtFor = -1;

  constructor(
    head: TableHead,
    private readonly stats: ReadStats,
  ) {
    this.columns = head.columns;
    this.used = new Set(head.columns.map((c) => c.toLowerCase()));
    this.lastRow = head.headerRow;
  }

  /** The record of a raw row, or null for a blank one. */
  item(r: RawRow): SourceItem | null {
    const cells = r.cells;
    if (nonBlankCount(cells) === 0) return null;
    if (r.row > this.lastRow + 1) this.stats.blankRows += r.row - this.lastRow - 1;
    this.lastRow = r.row;
    const columns = this.columns;
    if (cells.length <= columns.length) {
      if (this.builtFor !== columns.length) {
        this.valuesOf = valuesBuilder(columns);
        this.builtFor = columns.length;
      }
      if (this.valuesOf) return { type: 'record', row: r.row, values: this.valuesOf(cells) };
    }
    const values: Record<string, CellValue> = {};
    const n = Math.max(columns.length, cells.length);
    for (let i = 0; i < n; i++) {
      const v = cells[i] ?? null;
      if (i >= columns.length) {
        if (v === null || v === '') continue;
        columns.push(uniqueName(`Column ${columnLetter(i)}`, this.used));
      }
      values[columns[i]!] = v;
    }
    return { type: 'record', row: r.row, values };
  }

  /** The records of a batch of raw rows. */
  items(rows: readonly RawRow[]): SourceItem[] {
    const out: SourceItem[] = [];
    for (const r of rows) {
      const item = this.item(r);
      if (item) out.push(item);
    }
    return out;
  }
}

/** Named records from the rows after the header; blank rows count only when data follows them. */
export async function* tableRecords(head: TableHead, rest: AsyncIterator<RawRow>, stats: ReadStats): AsyncGenerator<SourceItem> {
  const namer = new TableRowNamer(head, stats);
  for (const r of head.buffered) {
    const item = namer.item(r);
    if (item) yield item;
  }
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    const item = namer.item(next.value);
    if (item) yield item;
  }
}

/** Reads an iterator of row batches one row at a time (for the header search), then hands back whole batches. */
export class RowBatchReader implements AsyncIterator<RawRow> {
  private batch: readonly RawRow[] = [];
  private i = 0;

  constructor(private readonly src: AsyncGenerator<readonly RawRow[]>) {}

  async next(): Promise<IteratorResult<RawRow>> {
    while (this.i >= this.batch.length) {
      const n = await this.src.next();
      if (n.done) return { done: true, value: undefined };
      this.batch = n.value;
      this.i = 0;
    }
    return { done: false, value: this.batch[this.i++]! };
  }

  /** The rest of the current batch, then every later batch; stops the source when the caller stops early. */
  async *batches(): AsyncGenerator<readonly RawRow[]> {
    try {
      if (this.i < this.batch.length) yield this.batch.slice(this.i);
      this.batch = [];
      for (;;) {
        const n = await this.src.next();
        if (n.done) return;
        yield n.value;
      }
    } finally {
      await this.src.return(undefined);
    }
  }
}
