// A CSV tokenizer for regular text: a one-character delimiter, a fixed line ending, RFC 4180 quotes ("" inside a
// quoted field). It gives exactly papaparse's rows for such text (csv-tokenizer.test.ts compares them on random
// input) at about twice its speed, and returns null for anything else — a closing quote followed by other text or
// spaces — so that the caller hands the same text to papaparse. It does not decode, number rows or report errors.

const QUOTE = 0x22;

export interface CompleteRows {
  /** Every row that ends with a line ending, in order. */
  readonly rows: string[][];
  /** Where the incomplete last row starts (the text after it is the next chunk's beginning). */
  readonly cursor: number;
}

/**
 * The complete rows of `text` (as papaparse's `parse(text, 0, true)`), or null when `text` has a quote papaparse
 * would handle leniently (a field such as `"a"b` or `"a" ,`) or the dialect is not one this tokenizer handles.
 */
export function completeRows(text: string, delimiter: string, newline: string): CompleteRows | null {
  if (delimiter.length !== 1 || delimiter === '"' || newline.includes('"') || newline.includes(delimiter)) return null;
  const delim = delimiter.charCodeAt(0);
  const nlLen = newline.length;
  const len = text.length;
  const rows: string[][] = [];
  let cursor = 0;
  let nextDelim = text.indexOf(delimiter);
  let nextNewline = text.indexOf(newline);
  let i = 0;
  // Each row is allocated at the previous row's width and filled by index: `[]` + push gives every 4-cell row a
  // 17-slot backing store (V8's first growth), which the importing thread's GC then copies or frees.
  let width = 0;
  let k = 0;
  let row: string[] = [];
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      // A quoted field: up to the quote that is not doubled; `start` … the next quote is literal text.
      let start = i + 1;
      let value = '';
      let q = text.indexOf('"', start);
      for (;;) {
        if (q === -1 || q === len - 1) return { rows, cursor }; // not closed in this text yet
        if (text.charCodeAt(q + 1) !== QUOTE) break;
        value += text.substring(start, q + 1);
        start = q + 2;
        q = text.indexOf('"', start);
      }
      row[k++] = value === '' ? text.substring(start, q) : value + text.substring(start, q);
      i = q + 1;
      if (text.charCodeAt(i) === delim) {
        i++;
        continue;
      }
      if (!text.startsWith(newline, i)) return null;
      if (k !== row.length) row.length = k;
      rows.push(row);
      width = k;
      row = new Array<string>(width);
      k = 0;
      i += nlLen;
      cursor = i;
      continue;
    }
    if (nextDelim !== -1 && nextDelim < i) nextDelim = text.indexOf(delimiter, i);
    if (nextNewline !== -1 && nextNewline < i) nextNewline = text.indexOf(newline, i);
    if (nextDelim !== -1 && (nextDelim < nextNewline || nextNewline === -1)) {
      row[k++] = text.substring(i, nextDelim);
      i = nextDelim + 1;
      continue;
    }
    if (nextNewline === -1) return { rows, cursor };
    row[k++] = text.substring(i, nextNewline);
    if (k !== row.length) row.length = k;
    rows.push(row);
    width = k;
    row = new Array<string>(width);
    k = 0;
    i = nextNewline + nlLen;
    cursor = i;
  }
}
