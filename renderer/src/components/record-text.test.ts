import { describe, expect, it } from 'vitest';
import { oneLine, recordAnswer, recordPrompt } from './record-text.js';

describe('record text', () => {
  it('gives prompt and answer for each kind', () => {
    expect(recordPrompt({ kind: 'single', instruction: '怎么退款', input: '订单 123', output: '请联系客服' })).toBe('怎么退款\n订单 123');
    expect(recordAnswer({ kind: 'single', instruction: 'q', output: 'a' })).toBe('a');
    const conv = { kind: 'conversation' as const, messages: [{ role: 'user' as const, content: 'hi' }, { role: 'assistant' as const, content: 'hello' }, { role: 'user' as const, content: 'refund?' }, { role: 'assistant' as const, content: 'sure' }] };
    expect(recordPrompt(conv)).toBe('refund?');
    expect(recordAnswer(conv)).toBe('sure');
    expect(recordAnswer({ kind: 'preference', prompt: 'p', chosen: 'good', rejected: 'bad' })).toBe('good');
  });

  it('flattens to one line', () => {
    expect(oneLine('a\nb', 10)).toBe('a ⏎ b');
    expect(oneLine('x'.repeat(20), 5)).toBe('xxxxx…');
  });
});
