// Converts an exceljs cell value to a plain value: rich text flattened, formulas to their cached result, dates to
// ISO strings, hyperlinks to their text, errors to their code. It does not read files.
import type { CellValue } from './source-types.js';

const DATE_FMT = /[ymdhsb]/i;

/** Whether an Excel number format shows a date/time (as exceljs and Excel decide: y m d h s outside quotes/brackets). */
export function isDateFormat(fmt: string | undefined): boolean {
  if (!fmt) return false;
  return DATE_FMT.test(fmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/** `2024-03-01` for a whole day, `2024-03-01T09:30:00` otherwise (Excel dates carry no time zone). */
export function isoDate(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString();
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
}

/** Excel serial day number → Date (UTC), honouring the 1904 date system. */
export function excelSerialToDate(serial: number, date1904 = false): Date {
  const days = date1904 ? serial + 1462 : serial;
  return new Date(Math.round((days - 25569) * 86400 * 1000));
}

export function plainCellValue(v: unknown, numFmt?: string, date1904 = false): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v;
  if (v instanceof Date) return isoDate(v);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o['richText'])) return (o['richText'] as { text?: string }[]).map((r) => r.text ?? '').join('');
    if ('formula' in o || 'sharedFormula' in o) {
      const r = o['result'];
      if (typeof r === 'number' && isDateFormat(numFmt)) return isoDate(excelSerialToDate(r, date1904));
      return r === undefined ? null : plainCellValue(r, numFmt, date1904);
    }
    if ('hyperlink' in o) return plainCellValue(o['text'], numFmt, date1904);
    if ('error' in o) return String(o['error']);
    if ('text' in o) return plainCellValue(o['text'], numFmt, date1904);
  }
  return String(v);
}
