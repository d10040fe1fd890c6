import { describe, expect, it } from 'vitest';
import { cyrb53, normalisedHash, scanJson } from './content-hash.js';
import { looksLikeMojibake } from './mojibake-detector.js';

describe('scanJson', () => {
  it('gives exactly cyrb53, normalisedHash and a pre-check that never misses mojibake, in one pass', () => {
    const parts = ['a', ' ', '\n', '\t', '\r', '"', '\\', 'n', '中', 'Ã©', 'â€™', 'Â ', '锟斤拷', '烫烫烫', '\ufffd', '\u0085', 'ï¼x', 'ã€y', 'é', '😀'];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const out = { exact: 0, norm: 0, suspect: false };
    for (let k = 0; k < 3000; k++) {
      let s = '';
      const len = Math.floor(rnd() * 12);
      for (let i = 0; i < len; i++) s += parts[Math.floor(rnd() * parts.length)];
      for (const json of [s, JSON.stringify({ kind: 'text', text: s })]) {
        scanJson(json, out);
        expect(out.exact).toBe(cyrb53(json));
        expect(out.norm).toBe(normalisedHash(json));
        if (looksLikeMojibake(json)) expect(out.suspect).toBe(true);
      }
    }
    expect(scanJson('{"text":"普通的中文 text"}', out).suspect).toBe(false);
  });
});
