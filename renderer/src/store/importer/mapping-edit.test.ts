import { describe, expect, it } from 'vitest';
import type { Mapping } from '../../../../preload/contract/datasets.js';
import { confidenceLevel, defaultTemplate, missingRequired, setFieldColumns, setFieldTemplate, setRoleTag, setShape } from './mapping-edit.js';

const base: Mapping = { shape: 'single', fields: { instruction: { columns: ['问题'] }, output: { columns: ['回复'] } } };

describe('mapping edits', () => {
  it('sets and clears a field, keeping a template only for several columns', () => {
    let m = setFieldColumns(base, 'input', ['订单号', '描述']);
    m = setFieldTemplate(m, 'input', '订单号: {订单号}\n{描述}');
    expect(m.fields.input).toEqual({ columns: ['订单号', '描述'], template: '订单号: {订单号}\n{描述}' });
    m = setFieldColumns(m, 'input', ['订单号']);
    expect(m.fields.input).toEqual({ columns: ['订单号'] });
    m = setFieldColumns(m, 'input', []);
    expect(m.fields.input).toBeUndefined();
    expect(base.fields.input).toBeUndefined();
  });

  it('lists missing required fields per shape', () => {
    expect(missingRequired(base)).toEqual([]);
    expect(missingRequired(setFieldColumns(base, 'output', []))).toEqual(['output']);
    expect(missingRequired({ shape: 'text', fields: {} })).toEqual(['text']);
    expect(missingRequired(setShape(base, 'conversation'))).toEqual([]);
    expect(missingRequired({ shape: 'conversation', fields: {} })).toEqual(['messages']);
    expect(missingRequired({ shape: 'preference', fields: { messages: { columns: ['m'] }, chosen: { columns: ['c'] } } })).toEqual(['rejected']);
  });

  it('switching shape keeps shared fields and adds default role tags for conversations', () => {
    const conv = setShape(base, 'conversation');
    expect(conv.roles?.userTag).toBe('human');
    expect(setRoleTag(conv, 'userTag', 'user').roles?.userTag).toBe('user');
    expect(Object.keys(setShape(base, 'text').fields)).toEqual([]);
  });

  it('default templates and confidence levels', () => {
    expect(defaultTemplate(['a', 'b'])).toBe('a: {a}\nb: {b}');
    expect(confidenceLevel(0.9)).toBe('high');
    expect(confidenceLevel(0.6)).toBe('medium');
    expect(confidenceLevel(0.1)).toBe('low');
    expect(confidenceLevel(undefined)).toBe('none');
  });
});
