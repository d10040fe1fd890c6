// Fast scanners for the parts of SpreadsheetML Lathe needs: workbook sheet list, relationships, date styles, the
// shared-string table and sheet rows. Plain string scanning (no DOM, no SAX events) because sheets hold millions of
// cells; it reads values only, not formatting, comments or drawings.
import type { Readable } from 'node:stream';
import type { RawRow } from './header-detector.js';
import type { CellValue } from './source-types.js';
import { excelSerialToDate, isDateFormat, isoDate } from './xlsx-cell.js';

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };

/** XML entities and OOXML's `_xHHHH_` escapes (Excel writes a carriage return as `_x000D_`). */
export function decodeXmlText(s: string): string {
  if (s.includes('&')) s = s.replace(ENTITY, (m) => ENTITIES[m] ?? String.fromCodePoint(m[2] === 'x' ? parseInt(m.slice(3, -1), 16) : parseInt(m.slice(2, -1), 10)));
  if (s.includes('_x')) s = s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return s;
}

/** The value of attribute `name` inside a tag's attribute text, or undefined. */
export function attr(tag: string, name: string): string | undefined {
  let i = tag.indexOf(` ${name}="`);
  let q = '"';
  if (i < 0) {
    i = tag.indexOf(` ${name}='`);
    q = "'";
    if (i < 0) return undefined;
  }
  const start = i + name.length + 3;
  const end = tag.indexOf(q, start);
  return end < 0 ? undefined : decodeXmlText(tag.slice(start, end));
}

const T_RUN = /<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g;

/** The text of an `<si>` or `<is>` body: every `<t>` run joined (rich text flattened), phonetic runs dropped. */
export function stringItemText(body: string): string {
  if (body.includes('<rPh')) body = body.replace(/<rPh[\s\S]*?<\/rPh>/g, '');
  let out = '';
  T_RUN.lastIndex = 0;
  for (let m = T_RUN.exec(body); m; m = T_RUN.exec(body)) out += m[1];
  return decodeXmlText(out);
}

export interface WorkbookSheet {
  readonly name: string;
  readonly path: string;
  readonly hidden: boolean;
}

export function parseWorkbook(workbookXml: string, relsXml: string): { sheets: WorkbookSheet[]; date1904: boolean; sharedStrings?: string; styles?: string } {
  const rels = new Map<string, { target: string; type: string }>();
  for (const m of relsXml.matchAll(/<Relationship\s[^>]*>/g)) {
    const id = attr(m[0], 'Id');
    const target = attr(m[0], 'Target');
    if (id && target) rels.set(id, { target: target.startsWith('/') ? target.slice(1) : `xl/${target}`, type: attr(m[0], 'Type') ?? '' });
  }
  const sheets: WorkbookSheet[] = [];
  for (const m of workbookXml.matchAll(/<(?:\w+:)?sheet\s[^>]*>/g)) {
    const name = attr(m[0], 'name');
    const rid = attr(m[0], 'r:id') ?? /\s[\w]+:id="([^"]+)"/.exec(m[0])?.[1];
    const rel = rid ? rels.get(rid) : undefined;
    if (name !== undefined && rel) sheets.push({ name, path: rel.target, hidden: (attr(m[0], 'state') ?? 'visible') !== 'visible' });
  }
  const pr = /<(?:\w+:)?workbookPr\s[^>]*>/.exec(workbookXml)?.[0] ?? '';
  const d1904 = attr(pr, 'date1904');
  const byType = (suffix: string) => [...rels.values()].find((r) => r.type.endsWith(suffix))?.target;
  const sharedStrings = byType('/sharedStrings');
  const styles = byType('/styles');
  return { sheets, date1904: d1904 === '1' || d1904 === 'true', ...(sharedStrings ? { sharedStrings } : {}), ...(styles ? { styles } : {}) };
}

// Built-in number formats that show dates or times (ECMA-376 §18.8.30, plus the CJK locale ids 27–36, 50–58).
const BUILTIN_DATE_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** For each cell style index (`s` attribute): whether its number format shows a date. */
export function parseDateStyles(stylesXml: string): boolean[] {
  const custom = new Map<number, string>();
  for (const m of stylesXml.matchAll(/<numFmt\s[^>]*>/g)) custom.set(Number(attr(m[0], 'numFmtId')), attr(m[0], 'formatCode') ?? '');
  const xfs = /<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(stylesXml)?.[1] ?? '';
  const out: boolean[] = [];
  for (const m of xfs.matchAll(/<xf\s[^>]*>|<xf>/g)) {
    const id = Number(attr(m[0], 'numFmtId') ?? 0);
    out.push(custom.has(id) ? isDateFormat(custom.get(id)) : BUILTIN_DATE_IDS.has(id));
  }
  return out;
}

/** Drops a namespace prefix from element names (`<x:row>` → `<row>`), as .NET's OpenXML SDK writes them. */
export function stripPrefix(text: string, prefix: string | null): string {
  if (!prefix) return text;
  return text.split(`<${prefix}:`).join('<').split(`</${prefix}:`).join('</');
}

/** The namespace prefix of the root element (`x` for `<x:worksheet …>`), or null. */
export function rootPrefix(text: string): string | null {
  const m = /<([A-Za-z_][\w.-]*):(?:worksheet|sst|workbook|styleSheet)[\s>]/.exec(text);
  return m ? m[1]! : null;
}

/**
 * Decoded text chunks of a stream, cut after the last occurrence of `closer` so each piece holds whole elements;
 * element prefixes are removed first.
 */
async function* wholeElements(stream: Readable, closer: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let buf = '';
  let prefix: string | null | undefined;
  for await (const chunk of stream) {
    buf += decoder.decode(chunk as Uint8Array, { stream: true });
    if (prefix === undefined) {
      if (buf.length < 4096 && !/<[^?!][^>]*>/.test(buf)) continue;
      prefix = rootPrefix(buf.slice(0, 4096));
    }
    // Strip on the whole buffer: a `<x:` split across chunks is rejoined here first.
    buf = stripPrefix(buf, prefix);
    const end = buf.lastIndexOf(closer);
    if (end < 0) continue;
    yield buf.slice(0, end + closer.length);
    buf = buf.slice(end + closer.length);
  }
  buf += decoder.decode();
  if (buf) yield stripPrefix(buf, prefix ?? rootPrefix(buf.slice(0, 4096)));
}

export async function readSharedStrings(stream: Readable): Promise<string[]> {
  const out: string[] = [];
  const SI = /<si(?:\s[^>]*)?>([\s\S]*?)<\/si>|<si\s*\/>/g;
  for await (const piece of wholeElements(stream, '</si>')) {
    SI.lastIndex = 0;
    for (let m = SI.exec(piece); m; m = SI.exec(piece)) out.push(m[1] === undefined ? '' : stringItemText(m[1]));
  }
  return out;
}

/** Column index (0-based) from a cell reference like `AB12`. */
function columnIndex(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

export interface SheetContext {
  readonly sharedStrings: readonly string[];
  readonly dateStyles: readonly boolean[];
  readonly date1904: boolean;
}

function cellValue(t: string | undefined, s: string | undefined, inner: string, ctx: SheetContext): CellValue {
  if (t === 'inlineStr') {
    const is = inner.indexOf('<is');
    return is < 0 ? null : stringItemText(inner.slice(is));
  }
  const vs = inner.indexOf('<v');
  if (vs < 0) return null;
  const vOpen = inner.indexOf('>', vs);
  if (inner[vOpen - 1] === '/') return null;
  const raw = inner.slice(vOpen + 1, inner.indexOf('</v>', vOpen));
  // A formula saved without its result (written by a library, never opened in Excel) has an empty <v>.
  if (raw === '') return null;
  switch (t) {
    case 's':
      return ctx.sharedStrings[Number(raw)] ?? null;
    case 'str':
      return decodeXmlText(raw);
    case 'b':
      return raw === '1' || raw === 'true';
    case 'e':
      return decodeXmlText(raw);
    case 'd':
      return raw;
    default: {
      const n = Number(raw);
      if (!Number.isFinite(n)) return decodeXmlText(raw);
      if (s !== undefined && ctx.dateStyles[Number(s)]) return isoDate(excelSerialToDate(n, ctx.date1904));
      return n;
    }
  }
}

/** Every row of a worksheet that has cells, with its 1-based row number and 0-based cell positions. */
export async function* sheetRows(stream: Readable, ctx: SheetContext): AsyncGenerator<RawRow> {
  let lastRow = 0;
  for await (const piece of wholeElements(stream, '</row>')) {
    let pos = 0;
    for (;;) {
      const start = piece.indexOf('<row', pos);
      if (start < 0) break;
      const after = piece.charCodeAt(start + 4);
      if (after !== 0x20 && after !== 0x3e && after !== 0x2f && after !== 0x0a && after !== 0x0d && after !== 0x09) {
        pos = start + 4;
        continue;
      }
      const tagEnd = piece.indexOf('>', start);
      const tag = piece.slice(start, tagEnd);
      const r = attr(tag, 'r');
      const rowNum = r ? Number(r) : lastRow + 1;
      lastRow = rowNum;
      if (piece[tagEnd - 1] === '/') {
        pos = tagEnd + 1;
        continue;
      }
      const rowEnd = piece.indexOf('</row>', tagEnd);
      const body = piece.slice(tagEnd + 1, rowEnd < 0 ? piece.length : rowEnd);
      pos = rowEnd < 0 ? piece.length : rowEnd + 6;
      const cells: CellValue[] = [];
      let col = -1;
      let c = 0;
      for (;;) {
        c = body.indexOf('<c', c);
        if (c < 0) break;
        const ch = body.charCodeAt(c + 2);
        if (ch !== 0x20 && ch !== 0x3e && ch !== 0x2f) {
          c += 2;
          continue;
        }
        const cEnd = body.indexOf('>', c);
        const cTag = body.slice(c, cEnd);
        const ref = attr(cTag, 'r');
        col = ref ? columnIndex(ref) : col + 1;
        if (body[cEnd - 1] === '/') {
          c = cEnd + 1;
          continue;
        }
        const close = body.indexOf('</c>', cEnd);
        const inner = body.slice(cEnd + 1, close < 0 ? body.length : close);
        c = close < 0 ? body.length : close + 4;
        const v = cellValue(attr(cTag, 't'), attr(cTag, 's'), inner, ctx);
        if (v === null) continue;
        while (cells.length < col) cells.push(null);
        cells[col] = v;
      }
      if (cells.length > 0) yield { row: rowNum, cells };
    }
  }
}
