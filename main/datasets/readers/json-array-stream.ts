// Splits a streamed JSON document whose top level is an array into its elements' text, one at a time, so a
// multi-GB file never sits in memory. It does not parse the elements (JSON.parse does) nor accept other top levels.

export type ArrayElement = { readonly index: number; readonly text: string };

export class NotAnArrayError extends Error {}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d, 0xfeff]);

/** Yields each top-level element's source text; throws NotAnArrayError if the document is not an array. */
export async function* jsonArrayElements(chunks: AsyncIterable<string>): AsyncGenerator<ArrayElement> {
  let buf = '';
  let pos = 0;
  let started = false;
  let ended = false;
  let depth = 0;
  let inStr = false;
  let esc = false;
  let start = -1;
  let index = 0;
  for await (const chunk of chunks) {
    buf = buf.length ? buf + chunk : chunk;
    const out: ArrayElement[] = [];
    for (; pos < buf.length; pos++) {
      const c = buf.charCodeAt(pos);
      if (inStr) {
        if (esc) esc = false;
        else if (c === 0x5c) esc = true;
        else if (c === 0x22) inStr = false;
        continue;
      }
      if (WS.has(c)) continue;
      if (!started) {
        if (c !== 0x5b) throw new NotAnArrayError('The file is JSON but not an array of records (it should start with “[”).');
        started = true;
        depth = 1;
        continue;
      }
      if (ended) throw new NotAnArrayError('There is more text after the end of the JSON array.');
      if (depth === 1 && start < 0 && c !== 0x2c && c !== 0x5d) start = pos;
      if (c === 0x22) inStr = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) {
          if (start >= 0) out.push({ index: index++, text: buf.slice(start, pos) });
          start = -1;
          ended = true;
        }
      } else if (c === 0x2c && depth === 1) {
        out.push({ index: index++, text: start >= 0 ? buf.slice(start, pos) : '' });
        start = -1;
      }
    }
    // Keep only the unfinished element.
    if (start >= 0) {
      buf = buf.slice(start);
      pos -= start;
      start = 0;
    } else {
      buf = '';
      pos = 0;
    }
    yield* out;
  }
  if (!started) throw new NotAnArrayError('The file is empty: a JSON array of records was expected.');
  if (!ended) throw new NotAnArrayError('The JSON array is cut off: the file ends before its closing “]”.');
}
