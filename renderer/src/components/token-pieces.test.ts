import { describe, expect, it } from 'vitest';
import type { PreviewRecordDto } from '../../../preload/contract/preview.js';
import { isSpecialToken, tokenPieces, visibleToken } from './token-pieces.js';

const record: PreviewRecordDto = {
  index: 0,
  ok: true,
  text: '<|user|>退款?<|assistant|>好的</s>',
  segments: [
    { text: '<|user|>退款?<|assistant|>', trained: false, part: 'prompt', turn: 0, start: 0, end: 4, cut: false },
    { text: '好的</s>', trained: true, part: 'response', turn: 0, start: 4, end: 6, cut: true },
  ],
  tokens: ['<|user|>', '退款', '?', '<|assistant|>', '好', '的'],
  input_ids: [1, 50, 51, 2, 60, 61],
  labels: [-100, -100, -100, -100, 60, 61],
  tokenCount: 6,
  trainableCount: 2,
  truncated: true,
  fullLength: 7,
};

describe('token pieces', () => {
  it('splits segments into tokens with ids, trained flags and specials', () => {
    const [prompt, answer] = tokenPieces(record, ['</s>']);
    expect(prompt!.tokens.map((t) => t.text)).toEqual(['<|user|>', '退款', '?', '<|assistant|>']);
    expect(prompt!.tokens.map((t) => t.special)).toEqual([true, false, false, true]);
    expect(prompt!.tokens.every((t) => !t.trained)).toBe(true);
    expect(answer!.tokens.map((t) => [t.id, t.position, t.trained])).toEqual([[60, 4, true], [61, 5, true]]);
    expect(answer!.droppedText).toBe('</s>');
    expect(prompt!.droppedText).toBe('');
  });

  it('recognises special tokens and shows whitespace', () => {
    expect(isSpecialToken('<s>')).toBe(true);
    expect(isSpecialToken('<|im_end|>')).toBe(true);
    expect(isSpecialToken('<|eot_id|>')).toBe(true);
    expect(isSpecialToken('hello')).toBe(false);
    expect(isSpecialToken('<eos>', ['<eos>'])).toBe(true);
    expect(visibleToken('a\nb')).toBe('a↵\nb');
  });
});
