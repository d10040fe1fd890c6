// Streaming .xlsx reader: lists sheets with row counts, picks the first sheet that looks like a table, finds its
// header under titles/blank rows, and streams one sheet's rows from the zip (random access, one inflated entry at
// a time; only the shared-string table is held in memory). It does not read formatting, charts or .xls files.
import fs from 'node:fs';
import { errorText, LatheError } from '../../../preload/contract/errors.js';
import { throwIfAborted } from './decoded-text.js';
import { detectHeaderIndex, nonBlankCount, type RawRow } from './header-detector.js';
import type { OpenedSource, ReadOptions, ReadStats, SheetInfo } from './source-types.js';
import { HEADER_LOOKAHEAD, readTableHead, tableRecords } from './table-rows.js';
import { parseDateStyles, parseWorkbook, readSharedStrings, rootPrefix, sheetRows, stripPrefix, type SheetContext, type WorkbookSheet } from './xlsx-xml.js';
import { openZipEntry, readZipDirectory, readZipText, type ZipEntry } from './zip-reader.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const XLSX_ERROR_CODES = ['err.xlsx.unreadable', 'err.xlsx.noWorksheets', 'err.xlsx.noSheetNamed', 'err.xlsx.noData'] as const;
const errText = errorText(XLSX_ERROR_CODES);

interface Workbook {
  readonly file: string;
  readonly size: number;
  readonly entries: Map<string, ZipEntry>;
  readonly sheets: WorkbookSheet[];
  readonly ctx: SheetContext;
}

function notXlsx(file: string, why: string): LatheError {
  return new LatheError('bad_input', `${file} is not a readable .xlsx workbook (${why}). Save it again from Excel as .xlsx, or export it as CSV.`, { file }, errText('err.xlsx.unreadable', { file, why }));
}

async function openWorkbook(file: string): Promise<Workbook> {
  const size = (await fs.promises.stat(file)).size;
  let entries: Map<string, ZipEntry>;
  try {
    entries = await readZipDirectory(file);
  } catch (err) {
    throw notXlsx(file, (err as Error).message);
  }
  const wbEntry = entries.get('xl/workbook.xml');
  if (!wbEntry) throw notXlsx(file, 'no xl/workbook.xml inside');
  try {
    const rels = entries.get('xl/_rels/workbook.xml.rels');
    const wbXml = await readZipText(file, wbEntry);
    const wb = parseWorkbook(stripPrefix(wbXml, rootPrefix(wbXml)), rels ? await readZipText(file, rels) : '');
    const stylesEntry = entries.get(wb.styles ?? 'xl/styles.xml');
    const sstEntry = entries.get(wb.sharedStrings ?? 'xl/sharedStrings.xml');
    const stylesXml = stylesEntry ? await readZipText(file, stylesEntry) : '';
    const dateStyles = parseDateStyles(stripPrefix(stylesXml, rootPrefix(stylesXml)));
    const sharedStrings = sstEntry ? await readSharedStrings(await openZipEntry(file, sstEntry)) : [];
    return { file, size, entries, sheets: wb.sheets.filter((s) => entries.has(s.path)), ctx: { sharedStrings, dateStyles, date1904: wb.date1904 } };
  } catch (err) {
    if (err instanceof LatheError) throw err;
    throw notXlsx(file, (err as Error).message);
  }
}

async function* rawRows(wb: Workbook, sheet: WorkbookSheet, opts: ReadOptions): AsyncGenerator<RawRow> {
  const entry = wb.entries.get(sheet.path)!;
  // Progress: compressed bytes of this sheet, scaled to the file (sheets are most of an xlsx).
  let raw = 0;
  const scale = entry.compressedSize > 0 ? wb.size / entry.compressedSize : 1;
  const stream = await openZipEntry(wb.file, entry, opts.onProgress ? (n) => opts.onProgress!(Math.min(wb.size, Math.round((raw += n) * scale))) : undefined);
  let n = 0;
  try {
    for await (const row of sheetRows(stream, wb.ctx)) {
      if ((++n & 1023) === 0) throwIfAborted(opts.signal);
      yield row;
    }
  } catch (err) {
    if (err instanceof LatheError) throw err;
    throw notXlsx(wb.file, `sheet “${sheet.name}”: ${(err as Error).message}`);
  } finally {
    stream.destroy();
  }
}

function looksLikeTable(head: readonly RawRow[]): boolean {
  const rows = head.filter((r) => nonBlankCount(r.cells) > 0);
  if (rows.length < 2) return false;
  return detectHeaderIndex(rows) < rows.length - 1;
}

/** Every sheet with its non-blank row count (reads each sheet once). */
export async function listSheets(file: string, opts: ReadOptions = {}): Promise<SheetInfo[]> {
  const wb = await openWorkbook(file);
  const out: SheetInfo[] = [];
  for (const sheet of wb.sheets) {
    const head: RawRow[] = [];
    let rows = 0;
    for await (const r of rawRows(wb, sheet, { ...(opts.signal ? { signal: opts.signal } : {}) })) {
      if (nonBlankCount(r.cells) === 0) continue;
      rows++;
      if (head.length < HEADER_LOOKAHEAD) head.push(r);
    }
    out.push({ name: sheet.name, rows, looksLikeTable: looksLikeTable(head) });
  }
  return out;
}

/** Opens `opts.sheet`, or the first visible sheet that looks like a table (else the first sheet with data). */
export async function openXlsx(file: string, opts: ReadOptions = {}): Promise<OpenedSource> {
  const wb = await openWorkbook(file);
  if (wb.sheets.length === 0) throw new LatheError('bad_input', `${file} has no worksheets.`, { file }, errText('err.xlsx.noWorksheets', { file }));
  let candidates = wb.sheets;
  if (opts.sheet !== undefined) {
    const s = wb.sheets.find((x) => x.name === opts.sheet) ?? wb.sheets.find((x) => x.name.toLowerCase() === opts.sheet!.toLowerCase());
    if (!s) throw new LatheError('not_found', `${file} has no sheet named “${opts.sheet}”. Its sheets are: ${wb.sheets.map((x) => `“${x.name}”`).join(', ')}.`, { file, sheet: opts.sheet }, errText('err.xlsx.noSheetNamed', { file, sheet: opts.sheet, sheets: wb.sheets.map((x) => `“${x.name}”`).join(', ') }));
    candidates = [s];
  } else {
    candidates = [...wb.sheets.filter((s) => !s.hidden), ...wb.sheets.filter((s) => s.hidden)];
  }
  let fallback: WorkbookSheet | null = null;
  for (const sheet of candidates) {
    const it = rawRows(wb, sheet, opts)[Symbol.asyncIterator]();
    const head = await readTableHead(it, opts.headerRow);
    const table = head.buffered.length > 0 && head.columns.length > 0;
    if (opts.sheet === undefined && !table) {
      if (!fallback && head.nonBlankRows > 0) fallback = sheet;
      await it.return?.(undefined);
      continue;
    }
    return source(wb, sheet, head, it);
  }
  if (fallback) return openXlsx(file, { ...opts, sheet: fallback.name });
  throw new LatheError('bad_input', `${file} has no sheets with data.`, { file }, errText('err.xlsx.noData', { file }));
}

function source(wb: Workbook, sheet: WorkbookSheet, head: Awaited<ReturnType<typeof readTableHead>>, it: AsyncIterator<RawRow>): OpenedSource {
  const stats: ReadStats = { blankRows: 0 };
  let consumed = false;
  return {
    file: wb.file,
    format: 'xlsx',
    size: wb.size,
    columns: head.columns,
    sheet: sheet.name,
    headerRow: head.headerRow,
    stats,
    async *records() {
      if (consumed) throw new Error('records() can be iterated once');
      consumed = true;
      try {
        yield* tableRecords(head, it, stats);
      } finally {
        await it.return?.(undefined);
      }
    },
  };
}
