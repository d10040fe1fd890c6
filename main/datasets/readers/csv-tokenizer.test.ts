import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { completeRows } from './csv-tokenizer.js';

/** papaparse as csv-reader.ts runs it on a chunk: every complete row, and where the rest begins. */
function papa(text: string, delimiter: string, newline: string): { rows: string[][]; cursor: number } {
  const res = new Papa.Parser({ delimiter, newline, quoteChar: '"', escapeChar: '"' }).parse(text, 0, true) as Papa.ParseResult<string[]>;
  return { rows: res.data, cursor: res.meta.cursor };
}

/** Deterministic random text over the characters that matter (mulberry32). */
function randomText(seed: number, alphabet: readonly string[], n: number): string {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

describe('completeRows', () => {
  it('reads quoted multi-line fields, doubled quotes and empty fields, leaving the incomplete last row', () => {
    const text = 'a,b,c\n"多行\n文本","他说 ""好""",\n,,\n"x","y';
    expect(completeRows(text, ',', '\n')).toEqual({ rows: [['a', 'b', 'c'], ['多行\n文本', '他说 "好"', ''], ['', '', '']], cursor: text.indexOf('"x"') });
    expect(completeRows('a;"b"\r\nc;d\r\n', ';', '\r\n')).toEqual({ rows: [['a', 'b'], ['c', 'd']], cursor: 12 });
  });

  it('gives up on what papaparse reads leniently', () => {
    expect(completeRows('"a"b,c\n', ',', '\n')).toBeNull();
    expect(completeRows('"a" ,c\n', ',', '\n')).toBeNull();
    expect(completeRows('a,b\n', '||', '\n')).toBeNull();
  });

  it('agrees with papaparse wherever it answers (random text, three dialects)', () => {
    const dialects: [string, string][] = [
      [',', '\n'],
      ['\t', '\r\n'],
      [';', '\r'],
    ];
    let answered = 0;
    for (const [delimiter, newline] of dialects) {
      const alphabet = ['a', '中', ' ', '"', '"', delimiter, delimiter, newline, newline, '\n', '\r', 'b'];
      for (let seed = 1; seed <= 3000; seed++) {
        const text = randomText(seed, alphabet, 1 + (seed % 60));
        const mine = completeRows(text, delimiter, newline);
        if (mine === null) continue;
        answered++;
        expect(mine, JSON.stringify(text)).toEqual(papa(text, delimiter, newline));
      }
    }
    expect(answered).toBeGreaterThan(3000); // most random texts are regular enough to be answered
  });
});
