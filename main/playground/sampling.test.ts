// Logits processing against hand-worked values of transformers' processors and warpers.
import { describe, expect, it } from 'vitest';
import { applyRepetitionPenalty, applyTopK, applyTopP, argmax, pickToken, SeededRandom, softmax } from './sampling.js';

const greedy = { doSample: false, temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1 };

describe('repetition penalty (HF RepetitionPenaltyLogitsProcessor)', () => {
  it('divides positive and multiplies negative logits of seen ids, once each', () => {
    const l = Float32Array.from([2, -2, 1, 4]);
    applyRepetitionPenalty(l, [0, 1, 1, 1], 2);
    expect(Array.from(l)).toEqual([1, -4, 1, 4]);
  });
  it('changes the greedy pick', () => {
    const l = Float32Array.from([3, 2.5, 0]);
    expect(pickToken(Float32Array.from(l), [0], greedy, new SeededRandom(1))).toBe(0);
    expect(pickToken(Float32Array.from(l), [0], { ...greedy, repetitionPenalty: 1.5 }, new SeededRandom(1))).toBe(1);
  });
});

describe('warpers', () => {
  it('argmax takes the first of equal maxima', () => {
    expect(argmax(Float32Array.from([1, 5, 5, 2]))).toBe(1);
  });
  it('top-k keeps the k largest (and ties)', () => {
    const l = Float32Array.from([1, 4, 3, 3, 0]);
    applyTopK(l, 2);
    expect(Array.from(l)).toEqual([-Infinity, 4, 3, 3, -Infinity]);
  });
  it('top-p keeps the smallest head whose mass reaches p', () => {
    // probs ≈ [0.6652, 0.2447, 0.0900]: p=0.7 keeps two, p=0.5 keeps one.
    const a = Float32Array.from([2, 1, 0]);
    applyTopP(a, 0.7);
    expect(Array.from(a)).toEqual([2, 1, -Infinity]);
    const b = Float32Array.from([2, 1, 0]);
    applyTopP(b, 0.5);
    expect(Array.from(b)).toEqual([2, -Infinity, -Infinity]);
  });
  it('softmax sums to one and ignores -inf', () => {
    const p = softmax(Float32Array.from([0, 0, -Infinity]));
    expect(Array.from(p)).toEqual([0.5, 0.5, 0]);
  });
});

describe('sampling', () => {
  it('is repeatable for a seed and follows the distribution', () => {
    const o = { ...greedy, doSample: true };
    const draw = (seed: number) => {
      const rng = new SeededRandom(seed);
      return Array.from({ length: 2000 }, () => pickToken(Float32Array.from([Math.log(3), 0]), [], o, rng));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    const share = draw(7).filter((t) => t === 0).length / 2000;
    expect(share).toBeGreaterThan(0.71);
    expect(share).toBeLessThan(0.79);
  });
  it('temperature 0 or top-k 1 is greedy', () => {
    const l = [0.1, 0.3, 0.2];
    expect(pickToken(Float32Array.from(l), [], { ...greedy, doSample: true, temperature: 0 }, new SeededRandom(3))).toBe(1);
    for (let s = 0; s < 20; s++) expect(pickToken(Float32Array.from(l), [], { ...greedy, doSample: true, topK: 1 }, new SeededRandom(s))).toBe(1);
  });
  it('SeededRandom gives doubles in [0, 1)', () => {
    const r = new SeededRandom(0);
    for (let i = 0; i < 1000; i++) {
      const v = r.next();
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });
});
