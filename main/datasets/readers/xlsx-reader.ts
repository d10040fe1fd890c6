// Streaming .xlsx reader (exceljs WorkbookReader): lists sheets with row counts, picks the first sheet that looks
// like a table, finds its header under titles/blank rows. It keeps only the first rows in memory; it does not map.
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { LatheError } from '../../../preload/contract/errors.js';
import { throwIfAborted } from './decoded-text.js';
import { detectHeaderIndex, nonBlankCount, type RawRow } from './header-detector.js';
import type { CellValue, OpenedSource, ReadOptions, ReadStats, SheetInfo } from './source-types.js';
import { HEADER_LOOKAHEAD, readTableHead, tableRecords } from './table-rows.js';
import { plainCellValue } from './xlsx-cell.js';

interface WorksheetLike extends AsyncIterable<ExcelJS.Row> {
  readonly name: string;
}

function workbookReader(file: string, opts: ReadOptions): { sheets: AsyncIterator<WorksheetLike>; date1904: () => boolean } {
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  let bytes = 0;
  if (opts.onProgress) {
    stream.on('data', (c) => {
      bytes += c.length;
      opts.onProgress!(bytes);
    });
  }
  const wb = new ExcelJS.stream.xlsx.WorkbookReader(stream, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const it = (wb as unknown as AsyncIterable<WorksheetLike>)[Symbol.asyncIterator]();
  const wrapped: AsyncIterator<WorksheetLike> = {
    next: async () => {
      try {
        return await it.next();
      } catch (err) {
        throw notXlsx(file, err);
      }
    },
    return: async () => {
      stream.destroy();
      return it.return ? it.return() : { done: true, value: undefined };
    },
  };
  const props = () => Boolean((wb as unknown as { properties?: { date1904?: boolean } }).properties?.date1904);
  return { sheets: wrapped, date1904: props };
}

function notXlsx(file: string, err: unknown): LatheError {
  if (err instanceof LatheError) return err;
  return new LatheError('bad_input', `${file} is not a readable .xlsx workbook (${(err as Error).message}). Save it again from Excel as .xlsx, or export it as CSV.`, { file });
}

async function* rawRows(ws: WorksheetLike, date1904: () => boolean, signal?: AbortSignal): AsyncGenerator<RawRow> {
  let n = 0;
  for await (const row of ws) {
    if ((++n & 1023) === 0) throwIfAborted(signal);
    const cells: CellValue[] = [];
    row.eachCell({ includeEmpty: false }, (cell, col) => {
      cells[col - 1] = plainCellValue(cell.value, cell.numFmt, date1904());
    });
    for (let i = 0; i < cells.length; i++) if (cells[i] === undefined) cells[i] = null;
    yield { row: row.number, cells };
  }
}

function looksLikeTable(head: readonly RawRow[]): boolean {
  const rows = head.filter((r) => nonBlankCount(r.cells) > 0);
  if (rows.length < 2) return false;
  const h = detectHeaderIndex(rows);
  return h < rows.length - 1 && nonBlankCount(rows[h]!.cells) >= 1;
}

/** Every sheet with its non-blank row count (one pass over the whole workbook). */
export async function listSheets(file: string, opts: ReadOptions = {}): Promise<SheetInfo[]> {
  const { sheets, date1904 } = workbookReader(file, opts);
  const out: SheetInfo[] = [];
  for (;;) {
    const s = await sheets.next();
    if (s.done) break;
    const head: RawRow[] = [];
    let rows = 0;
    for await (const r of rawRows(s.value, date1904, opts.signal)) {
      if (nonBlankCount(r.cells) === 0) continue;
      rows++;
      if (head.length < HEADER_LOOKAHEAD) head.push(r);
    }
    out.push({ name: s.value.name, rows, looksLikeTable: looksLikeTable(head) });
  }
  return out;
}

/**
 * Opens one sheet for streaming: `opts.sheet` or the first sheet that looks like a table. Sheets before it are
 * read (and counted) on the way, later ones are never parsed.
 */
export async function openXlsx(file: string, opts: ReadOptions = {}): Promise<OpenedSource> {
  const size = (await fs.promises.stat(file)).size;
  const { sheets, date1904 } = workbookReader(file, opts);
  const seen: SheetInfo[] = [];
  for (;;) {
    const s = await sheets.next();
    if (s.done) break;
    const ws = s.value;
    if (opts.sheet !== undefined && ws.name !== opts.sheet) continue;
    const it = rawRows(ws, date1904, opts.signal)[Symbol.asyncIterator]();
    const head = await readTableHead(it, opts.headerRow);
    const table = head.buffered.length > 0 && head.columns.length > 0;
    if (opts.sheet === undefined && !table) {
      seen.push({ name: ws.name, rows: head.nonBlankRows, looksLikeTable: false });
      await it.return?.(undefined);
      continue;
    }
    const stats: ReadStats = { blankRows: 0 };
    let consumed = false;
    return {
      file,
      format: 'xlsx',
      size,
      columns: head.columns,
      sheets: seen,
      sheet: ws.name,
      headerRow: head.headerRow,
      stats,
      async *records() {
        if (consumed) throw new Error('records() can be iterated once');
        consumed = true;
        try {
          yield* tableRecords(head, it, stats);
        } finally {
          await sheets.return?.();
        }
      },
    };
  }
  await sheets.return?.();
  if (opts.sheet !== undefined) {
    const names = (await listSheets(file)).map((s) => `“${s.name}”`).join(', ');
    throw new LatheError('not_found', `${file} has no sheet named “${opts.sheet}”. Its sheets are: ${names || 'none'}.`, { file, sheet: opts.sheet });
  }
  if (seen.length > 0) return openXlsx(file, { ...opts, sheet: seen[0]!.name });
  throw new LatheError('bad_input', `${file} has no sheets with data.`, { file });
}
