import { describe, expect, it } from 'vitest';
import { en } from './en.js';
import { mainMessageKey, translateMainMessage } from './main-message.js';

describe('main messages', () => {
  it('fall back to main’s English text without a code or without a translation', () => {
    expect(translateMainMessage('zh', { message: 'Plain text.' })).toBe('Plain text.');
    expect(translateMainMessage('zh', { code: 'no.such.code', params: { n: 1 }, message: 'Unknown code.' })).toBe('Unknown code.');
  });

  it('every main.* key has both languages and fills its params', () => {
    const keys = Object.keys(en).filter((k) => k.startsWith('main.'));
    for (const key of keys) {
      const code = key.slice('main.'.length);
      expect(mainMessageKey(code)).toBe(key);
      const zh = translateMainMessage('zh', { code, message: '' });
      expect(zh.length).toBeGreaterThan(0);
    }
  });
});
