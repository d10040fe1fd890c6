// Reader for plain-text .txt files that are not tables: one record per non-blank line, in a column named `text`
// (pre-training data; LLaMA-Factory's `text` loader does the same). It does not split sentences or paragraphs.
import { decodedChunks, throwIfAborted } from './decoded-text.js';
import type { EncodingGuess, OpenedSource, ReadOptions, ReadStats } from './source-types.js';

export function openTextLines(file: string, size: number, encoding: EncodingGuess, opts: ReadOptions): OpenedSource {
  const stats: ReadStats = { blankRows: 0 };
  let consumed = false;
  return {
    file,
    format: 'txt',
    size,
    columns: ['text'],
    encoding,
    stats,
    async *records() {
      if (consumed) throw new Error('records() can be iterated once');
      consumed = true;
      let rest = '';
      let line = 0;
      let pendingBlank = 0;
      const emit = function* (raw: string) {
        line++;
        const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        if (text.trim() === '') {
          pendingBlank++;
          return;
        }
        stats.blankRows += pendingBlank;
        pendingBlank = 0;
        yield { type: 'record' as const, row: line, values: { text } };
      };
      for await (const chunk of decodedChunks(file, encoding.encoding, opts)) {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop()!;
        throwIfAborted(opts.signal);
        for (const p of parts) yield* emit(p);
      }
      if (rest) yield* emit(rest);
    },
  };
}
