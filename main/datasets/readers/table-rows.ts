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

/** Named records from the rows after the header; blank rows count only when data follows them. */
export async function* tableRecords(head: TableHead, rest: AsyncIterator<RawRow>, stats: ReadStats): AsyncGenerator<SourceItem> {
  const columns = head.columns;
  const used = new Set(columns.map((c) => c.toLowerCase()));
  let lastRow = head.headerRow;
  const emit = (r: RawRow): SourceItem | null => {
    if (nonBlankCount(r.cells) === 0) return null;
    if (r.row > lastRow + 1) stats.blankRows += r.row - lastRow - 1;
    lastRow = r.row;
    const values: Record<string, CellValue> = {};
    const n = Math.max(columns.length, r.cells.length);
    for (let i = 0; i < n; i++) {
      const v = r.cells[i] ?? null;
      if (i >= columns.length) {
        if (v === null || v === '') continue;
        columns.push(uniqueName(`Column ${columnLetter(i)}`, used));
      }
      values[columns[i]!] = v;
    }
    return { type: 'record', row: r.row, values };
  };
  for (const r of head.buffered) {
    const item = emit(r);
    if (item) yield item;
  }
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    const item = emit(next.value);
    if (item) yield item;
  }
}
