import { describe, expect, it } from 'vitest';
import { formatDateTime, formatNumber } from './format.js';

describe('format', () => {
  it('groups numbers and fixes decimals', () => {
    expect(formatNumber('en', 1234567)).toBe('1,234,567');
    expect(formatNumber('zh', 1234567)).toBe('1,234,567');
    expect(formatNumber('en', 0.123456, 4)).toBe('0.1235');
    expect(formatNumber('en', 2, 2)).toBe('2.00');
  });
  it('writes dates the way the language does, not the browser', () => {
    const when = Date.UTC(2026, 10, 29, 12, 0, 0);
    expect(formatDateTime('en', when)).toMatch(/Nov 29, 2026/);
    expect(formatDateTime('zh', when)).toMatch(/2026年11月29日/);
    expect(formatDateTime('zh', new Date(when).toISOString())).toMatch(/2026年11月29日/);
    expect(formatDateTime('en', 'not a date')).toBe('not a date');
  });
});
