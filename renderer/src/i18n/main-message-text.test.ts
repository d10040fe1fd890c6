import { describe, expect, it } from 'vitest';
import { en } from './en.js';
import { groupProblems } from '../store/importer/selectors.js';
import { mainMessageKey, translateMainMessage } from './main-message-text.js';

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

describe('dataset problems from main', () => {
  it('show in Chinese with their ids translated, and in English as main wrote them', () => {
    const p = { row: 5, column: '回复', message: 'Empty answer.', code: 'dataset.emptyField', params: { field: 'output' } };
    expect(translateMainMessage('zh', p)).toBe('回答为空。');
    expect(translateMainMessage('en', p)).toBe('Empty answer.');
    const order = { row: 3, message: 'Bad role order: message 1 is “assistant” but should be user (or tool).', code: 'dataset.roleShouldBePrompt', params: { n: 1, role: 'assistant' } };
    expect(translateMainMessage('zh', order)).toBe('角色顺序有误：第 1 条消息是“助手”，应为用户（或工具结果）。');
    expect(translateMainMessage('en', order)).toBe(order.message);
  });

  it('leave values that are not ids alone (a column called “output” is still “output”)', () => {
    const p = { message: 'Column “output” holds a list, not text. (answer)', code: 'dataset.notText', params: { column: 'output', holds: 'list', field: 'output' } };
    expect(translateMainMessage('zh', p)).toBe('列“output”是列表，不是文本（回答）。');
  });

  it('show a problem stored by an older version (no code) as its English text, also when grouped', () => {
    const groups = groupProblems([
      { row: 4, column: '回复', message: 'The answer is empty.' },
      { row: 7, column: '回复', message: 'The answer is empty.' },
      { row: 9, message: 'Empty text.', code: 'dataset.emptyField', params: { field: 'text' } },
    ]);
    expect(groups.map((g) => translateMainMessage('zh', g))).toEqual(['The answer is empty.', '文本为空。']);
  });
});
