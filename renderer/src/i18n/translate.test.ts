import { describe, expect, it } from 'vitest';
import { en } from './en.js';
import { zh } from './zh.js';
import { detectLanguage, translate } from './translate.js';

describe('i18n', () => {
  it('Chinese has every English key, non-empty, with the same placeholders', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(zh[key].length, key).toBeGreaterThan(0);
      const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(vars(zh[key]), key).toEqual(vars(en[key]));
    }
  });

  it('fills placeholders and detects the language', () => {
    expect(translate('en', 'projects.counts', { datasets: 2, runs: 1, exports: 0 })).toBe('2 datasets · 1 run · 0 exports');
    expect(translate('en', 'data.rows', { count: '1,234' })).toBe('1,234 rows');
    expect(translate('en', 'data.rows', { count: '1' })).toBe('1 row');
    expect(translate('zh', 'projects.counts', { datasets: 1, runs: 2, exports: 0 })).toBe('1 个数据集 · 2 次训练 · 0 个导出');
    expect(translate('zh', 'projects.delete.confirm', { name: '工单' })).toContain('“工单”');
    expect(detectLanguage('zh-CN')).toBe('zh');
    expect(detectLanguage('en-US')).toBe('en');
    expect(detectLanguage(undefined)).toBe('en');
  });
});
