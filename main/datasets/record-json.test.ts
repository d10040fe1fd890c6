import { describe, expect, it } from 'vitest';
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import { cyrb53, hex53, normalisedHash, scanJson } from './content-hash.js';
import { recordJson } from './record-json.js';

describe('recordJson', () => {
  it('writes exactly JSON.stringify(record) and scans it as scanJson does, escapes and surrogates included', () => {
    const parts = ['a', ' ', '  ', '\n', '\t', '\r', '"', '\\', '\\n', 'n', 't', '中', 'Ã©', '锟斤拷', '\ufffd', '\u0001', '\u001f', '\u2028', '😀', '\ud800', '\udc00', ','];
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const str = () => {
      let s = '';
      const len = Math.floor(rnd() * 8);
      for (let i = 0; i < len; i++) s += parts[Math.floor(rnd() * parts.length)];
      return s;
    };
    const maybe = () => (rnd() < 0.5 ? str() : undefined);
    const out = { exact: 0, norm: 0, suspect: false };
    const want = { exact: 0, norm: 0, suspect: false };
    for (let k = 0; k < 4000; k++) {
      const system = maybe();
      const input = maybe();
      const records: NormalisedRecord[] = [
        { kind: 'text', text: str() },
        system ? (input ? { kind: 'single', system, instruction: str(), input, output: str() } : { kind: 'single', system, instruction: str(), output: str() }) : input ? { kind: 'single', instruction: str(), input, output: str() } : { kind: 'single', instruction: str(), output: str() },
        { kind: 'conversation', messages: [{ role: 'user', content: str() }, { role: 'assistant', content: str() }] },
        // Keys in another order than the mapper's: JSON.stringify's order must still come out.
        { output: str(), kind: 'single', instruction: str() } as NormalisedRecord,
      ];
      for (const r of records) {
        const json = recordJson(r, out);
        expect(json).toBe(JSON.stringify(r));
        scanJson(json, want);
        expect(out).toEqual(want);
        expect(out.exact).toBe(cyrb53(json));
        expect(out.norm).toBe(normalisedHash(json));
      }
    }
  });
});

describe('hex53', () => {
  it('is toString(16) padded to 14 digits', () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (const n of [0, 1, 15, 16, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 0xabcdef12345]) expect(hex53(n)).toBe(n.toString(16).padStart(14, '0'));
    for (let k = 0; k < 10000; k++) {
      const n = Math.floor(rnd() * 2 ** 21) * 2 ** 32 + Math.floor(rnd() * 2 ** 32);
      expect(hex53(n)).toBe(n.toString(16).padStart(14, '0'));
    }
  });
});
