// Finds the header row of a table whose first rows may be titles, notes or blanks, and names its columns.
// It looks only at the first rows it is given; it does not read files.
import type { CellValue } from './source-types.js';

export interface RawRow {
  /** 1-based row number as a spreadsheet app shows it. */
  readonly row: number;
  readonly cells: readonly CellValue[];
}

export function isBlankCell(v: CellValue | undefined): boolean {
  return v === null || v === undefined || (typeof v === 'string' && isBlankText(v));
}

/** Same as `s.trim() === ''` without making the trimmed copy (this runs for every cell of an import). */
export function isBlankText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x20 && c < 0x7f) return false;
    if (!isWhitespace(c)) return false;
  }
  return true;
}

/**
 * What `trim()` removes (ECMAScript WhiteSpace and LineTerminator), by code unit: a text cell of Chinese starts with
 * a character above U+007F, and testing that by /\s/ on a one-character string was 2 % of a CSV import.
 */
function isWhitespace(c: number): boolean {
  if (c < 0xa0) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x1680) return c === 0xa0;
  return c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

export function nonBlankCount(cells: readonly CellValue[]): number {
  let n = 0;
  for (const c of cells) if (!isBlankCell(c)) n++;
  return n;
}

/**
 * Index (into `rows`) of the header: the first row that spans most of the table's width with distinct, short,
 * non-numeric labels and is followed by data. Title rows (one merged cell) and blank rows are passed over.
 */
export function detectHeaderIndex(rows: readonly RawRow[]): number {
  const filled = rows.map((r) => nonBlankCount(r.cells));
  const width = Math.max(0, ...filled);
  const minFilled = width <= 1 ? 1 : Math.max(2, Math.ceil(width * 0.6));
  for (let i = 0; i < rows.length; i++) {
    if (filled[i]! < minFilled) continue;
    if (!looksLikeLabels(rows[i]!.cells)) continue;
    return i;
  }
  // Headers with many unnamed columns: the row of labels with the most cells.
  let best = -1;
  for (let i = 0; i < rows.length; i++) {
    if (filled[i]! >= Math.min(2, width) && looksLikeLabels(rows[i]!.cells) && (best < 0 || filled[i]! > filled[best]!)) best = i;
  }
  if (best >= 0) return best;
  const firstNonBlank = filled.findIndex((n) => n > 0);
  return firstNonBlank < 0 ? 0 : firstNonBlank;
}

function looksLikeLabels(cells: readonly CellValue[]): boolean {
  const seen = new Set<string>();
  for (const c of cells) {
    if (isBlankCell(c)) continue;
    if (typeof c !== 'string') return false;
    const s = c.trim();
    if (s.length > 80 || /^[-+]?\d+([.,]\d+)?$/.test(s) || /^\d{4}-\d{2}-\d{2}/.test(s)) return false;
    const key = s.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return seen.size > 0;
}

/** Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let s = '';
  let n = index + 1;
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** Column names from a header row: blanks become “Column C”, repeats get “ (2)”. */
export function columnNames(header: readonly CellValue[]): string[] {
  const names: string[] = [];
  const used = new Set<string>();
  header.forEach((c, i) => names.push(uniqueName(isBlankCell(c) ? `Column ${columnLetter(i)}` : String(c).replace(/\s+/g, ' ').trim(), used)));
  return names;
}

export function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let k = 2; used.has(name.toLowerCase()); k++) name = `${base} (${k})`;
  used.add(name.toLowerCase());
  return name;
}
