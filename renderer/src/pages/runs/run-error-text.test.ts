// A run stopped on request reads as such in each language; other errors keep main's message.
import { describe, expect, it } from 'vitest';
import { translate } from '../../i18n/translate.js';
import { runErrorText } from './run-error-text.js';

describe('runErrorText', () => {
  it('says where a stopped run stopped, translated', () => {
    const run = { error: { code: 'stopped', message: 'Stopped at step 14 of 30.' }, step: 14, maxSteps: 30 };
    expect(runErrorText((k, v) => translate('en', k, v), run)).toBe('Stopped at step 14 of 30.');
    expect(runErrorText((k, v) => translate('zh', k, v), run)).toBe('已在第 14 / 30 步停止。');
    expect(runErrorText((k, v) => translate('en', k, v), { ...run, maxSteps: null })).toBe('Stopped at step 14.');
  });

  it('keeps other messages and says nothing without an error', () => {
    expect(runErrorText((k, v) => translate('en', k, v), { error: { code: 'out_of_memory', message: 'Not enough memory.' }, step: 3, maxSteps: 30 })).toBe('Not enough memory.');
    expect(runErrorText((k, v) => translate('en', k, v), { error: null, step: 0, maxSteps: null })).toBe('');
  });
});
