// Fills a target field from one or more source columns: a small `{column}` template, or the non-empty values
// joined by newlines. It does not decide which columns to use (mapping-suggester.ts does).
import type { FieldSource } from '../../preload/contract/datasets.js';
import type { CellValue } from './readers/source-types.js';

export type TextResult = { text: string } | { error: string; column: string; holds: 'list' | 'object' };

/** A cell as text: strings as they are, numbers and booleans printed, null as empty; lists/objects are not text. */
export function cellText(v: CellValue | undefined): string | null {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** Placeholders of a template: `{name}`; `{{` and `}}` are literal braces. */
export function templateColumns(template: string): string[] {
  const out: string[] = [];
  template.replace(/\{\{|\}\}|\{([^{}]+)\}/g, (m, name: string | undefined) => {
    if (name !== undefined) out.push(name);
    return m;
  });
  return out;
}

export function renderField(source: FieldSource, values: Readonly<Record<string, CellValue>>): TextResult {
  // The common case (one column, no template) without the intermediate map: this runs for every field of every row.
  if (source.template === undefined && source.columns.length === 1) {
    const col = source.columns[0]!;
    const t = cellText(values[col]);
    return t === null ? notText(col, values[col]) : { text: t };
  }
  const texts: Record<string, string> = {};
  for (const col of source.columns) {
    const t = cellText(values[col]);
    if (t === null) return notText(col, values[col]);
    texts[col] = t;
  }
  if (source.template !== undefined) {
    const text = source.template.replace(/\{\{|\}\}|\{([^{}]+)\}/g, (m, name: string | undefined) => {
      if (m === '{{') return '{';
      if (m === '}}') return '}';
      if (name === undefined) return m;
      if (name in texts) return texts[name]!;
      const t = cellText(values[name]);
      return t ?? '';
    });
    // A template over empty columns leaves only its labels: treat “订单号: \n” as empty when every column was.
    const allEmpty = templateColumns(source.template).every((c) => (texts[c] ?? cellText(values[c]) ?? '').trim() === '');
    return { text: allEmpty ? '' : text };
  }
  if (source.columns.length === 1) return { text: texts[source.columns[0]!]! };
  return { text: source.columns.map((c) => texts[c]!).filter((t) => t.trim() !== '').join('\n') };
}

function notText(column: string, v: CellValue | undefined): TextResult {
  const holds = Array.isArray(v) ? 'list' : 'object';
  return { error: `Column “${column}” holds ${holds === 'list' ? 'a list' : 'an object'}, not text.`, column, holds };
}
