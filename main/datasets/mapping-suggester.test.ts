import { describe, expect, it } from 'vitest';
import { nameScore, suggestMapping } from './mapping-suggester.js';

describe('mapping suggester', () => {
  it('maps Chinese and bilingual ticket columns by name with high confidence', () => {
    const cols = ['工单号 / Ticket ID', '问题 / Question', '回复 / Answer', '产品 / Product', '日期 / Date', '备注'];
    const s = suggestMapping(cols, [{ '工单号 / Ticket ID': 'T-1', '问题 / Question': '怎么退款？', '回复 / Answer': '在订单页点退款。', 备注: '' }]);
    expect(s.detectedFormat).toBe('table');
    expect(s.mapping.shape).toBe('single');
    expect(s.mapping.fields).toEqual({ instruction: { columns: ['问题 / Question'] }, output: { columns: ['回复 / Answer'] }, input: { columns: ['备注'] } });
    expect(s.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it.each([
    ['提问', 'instruction'],
    ['用户问题', 'instruction'],
    ['答案', 'output'],
    ['客服回复', 'output'],
    ['上下文', 'input'],
    ['System Prompt', 'system'],
    ['系统', 'system'],
    ['customer_question', 'instruction'],
    ['Agent Reply', 'output'],
  ] as const)('recognises %s as %s', (name, field) => {
    expect(nameScore(name, field)).toBeGreaterThanOrEqual(0.75);
  });

  it('falls back to content when names say nothing, with low confidence', () => {
    const sample = [
      { a: 'T-1', b: 'How do I reset my password?', c: 'Open Settings, choose Security, then Reset password and follow the email link.' },
      { a: 'T-2', b: 'Can I change my plan?', c: 'Yes: go to Billing and pick another plan; the change applies from the next invoice.' },
    ];
    const s = suggestMapping(['a', 'b', 'c'], sample);
    expect(s.mapping.fields.instruction).toEqual({ columns: ['b'] });
    expect(s.mapping.fields.output).toEqual({ columns: ['c'] });
    expect(s.confidence).toBeLessThan(0.6);
  });

  it('recognises alpaca, sharegpt, openai, ranking and KTO files', () => {
    expect(suggestMapping(['instruction', 'input', 'output'], [{ instruction: 'a', input: '', output: 'b' }]).detectedFormat).toBe('alpaca');
    const sg = suggestMapping(['conversations', 'tools'], [{ conversations: [{ from: 'human', value: 'hi' }], tools: '[]' }]);
    expect(sg).toMatchObject({ detectedFormat: 'sharegpt', mapping: { shape: 'conversation', fields: { messages: { columns: ['conversations'] }, tools: { columns: ['tools'] } }, roles: { roleTag: 'from', userTag: 'human' } } });
    const oa = suggestMapping(['messages'], [{ messages: [{ role: 'user', content: 'hi' }] }]);
    expect(oa).toMatchObject({ detectedFormat: 'openai', mapping: { roles: { roleTag: 'role', contentTag: 'content', assistantTag: 'assistant' } } });
    const dpo = suggestMapping(['conversations', 'chosen', 'rejected'], [{ conversations: [{ from: 'human', value: 'q' }], chosen: { from: 'gpt', value: 'a' }, rejected: { from: 'gpt', value: 'b' } }]);
    expect(dpo.mapping.shape).toBe('preference');
    const kto = suggestMapping(['messages', 'label'], [{ messages: [{ role: 'user', content: 'q' }], label: true }]);
    expect(kto.mapping.fields.label).toEqual({ columns: ['label'] });
  });

  it('maps a preference table and a plain text table', () => {
    expect(suggestMapping(['prompt', 'chosen', 'rejected'], []).mapping).toMatchObject({ shape: 'preference', fields: { instruction: { columns: ['prompt'] } } });
    expect(suggestMapping(['text'], [{ text: 'some long document text' }]).mapping).toEqual({ shape: 'text', fields: { text: { columns: ['text'] } } });
  });
});
