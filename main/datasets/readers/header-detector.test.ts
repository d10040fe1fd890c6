import { describe, expect, it } from 'vitest';
import { isBlankText } from './header-detector.js';

describe('isBlankText', () => {
  it("agrees with trim() === '' for every UTF-16 code unit, alone and after spaces", () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      expect(isBlankText(ch), `U+${c.toString(16)}`).toBe(ch.trim() === '');
      expect(isBlankText(` \u3000${ch}`), `U+${c.toString(16)} after spaces`).toBe(` \u3000${ch}`.trim() === '');
    }
    expect(isBlankText('')).toBe(true);
    expect(isBlankText('中文')).toBe(false);
  });
});
