// BLEU-4 and ROUGE against values worked out by hand (the arithmetic is in the comments).
import { describe, expect, it } from 'vitest';
import { modifiedPrecision, sentenceBleu4 } from './bleu.js';
import { lcsLength, rouge } from './rouge.js';
import { scoreAll, scorePair } from './similarity.js';
import { textUnits } from './text-units.js';

const words = (s: string) => s.split(' ');

describe('textUnits', () => {
  it('splits CJK per character and other scripts per word, keeping punctuation as units', () => {
    expect(textUnits('Hello, 世界! abc123')).toEqual(['Hello', ',', '世', '界', '!', 'abc123']);
    expect(textUnits('订单号：A-17')).toEqual(['订', '单', '号', '：', 'A', '-', '17']);
    expect(textUnits('  ')).toEqual([]);
  });
});

describe('BLEU-4 (NLTK sentence_bleu, smoothing method3)', () => {
  it('is 1 for an exact match', () => {
    expect(sentenceBleu4(words('the cat sat on the mat'), words('the cat sat on the mat'))).toBeCloseTo(1, 12);
  });

  it('matches the hand computation for the classic cat/mat pair', () => {
    const h = words('the cat sat on the mat');
    const r = words('the cat is on the mat');
    expect(modifiedPrecision(h, r, 1)).toEqual({ matches: 5, total: 6 });
    expect(modifiedPrecision(h, r, 2)).toEqual({ matches: 3, total: 5 });
    expect(modifiedPrecision(h, r, 3)).toEqual({ matches: 1, total: 4 });
    expect(modifiedPrecision(h, r, 4)).toEqual({ matches: 0, total: 3 });
    // p4 smoothed to 1/(2^1·3); BP = 1 (equal lengths): (5/6 · 3/5 · 1/4 · 1/6)^(1/4) = 0.0208333^(1/4) = 0.379918
    expect(sentenceBleu4(h, r)).toBeCloseTo(0.379918, 5);
  });

  it('smooths successive zero precisions with growing powers of two and applies the brevity penalty', () => {
    // p = 2/2, 1/1, 0/1 → 1/2, 0/1 → 1/4; geometric mean 0.125^(1/4) = 0.594604; BP = exp(1 − 6/2) = 0.135335
    expect(sentenceBleu4(words('the cat'), words('the cat sat on the mat'))).toBeCloseTo(0.594604 * 0.135335, 5);
  });

  it('is 0 with no unigram match or an empty hypothesis', () => {
    expect(sentenceBleu4(words('a b c d'), words('e f g h'))).toBe(0);
    expect(sentenceBleu4([], words('e f g h'))).toBe(0);
  });
});

describe('ROUGE', () => {
  it('matches the hand computation on words', () => {
    const s = rouge(words('the cat sat on the mat'), words('the cat is on the mat'));
    expect(s.rouge1).toBeCloseTo(5 / 6, 12); // overlap 5 of 6 both ways
    expect(s.rouge2).toBeCloseTo(3 / 5, 12); // the cat, on the, the mat
    expect(s.rougeL).toBeCloseTo(5 / 6, 12); // LCS "the cat on the mat"
    expect(lcsLength(words('a b c d e'), words('a c e'))).toBe(3);
  });

  it('recall and precision differ when lengths differ', () => {
    // P = 2/2, R = 2/6 → F = 2·1·(1/3)/(4/3) = 0.5
    expect(rouge(words('the cat'), words('the cat sat on the mat')).rouge1).toBeCloseTo(0.5, 12);
  });
});

describe('character-level Chinese scoring', () => {
  it('scores 我爱北京 against 我爱上海 per character', () => {
    const s = scorePair('我爱北京', '我爱上海');
    // p = 2/4, 1/3, 0/2 → 1/(2·2), 0/1 → 1/(4·1); (0.5 · 1/3 · 1/4 · 1/4)^(1/4) = 0.319472
    expect(s.bleu4).toBeCloseTo(31.9472, 3);
    expect(s.rouge1).toBeCloseTo(50, 10);
    expect(s.rouge2).toBeCloseTo(100 / 3, 10);
    expect(s.rougeL).toBeCloseTo(50, 10);
  });

  it('averages over samples, ×100', () => {
    const s = scoreAll([
      { prediction: '我爱北京', reference: '我爱北京' },
      { prediction: 'x', reference: '' },
    ]);
    expect(s.samples).toBe(2);
    expect(s.bleu4).toBeCloseTo(50, 10);
    expect(s.rougeL).toBeCloseTo(50, 10);
  });
});
