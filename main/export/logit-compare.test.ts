// The distribution comparison's rules on hand-made numbers: differences over the reference's top tokens, near ties,
// overlap, and how positions add up to a verdict.
import { describe, expect, it } from 'vitest';
import { comparePosition, formatDiff, fullDistribution, ggufTolerance, listDistribution, logSoftmax, summarize, topList, TOLERANCES } from './logit-compare.js';

const f32 = TOLERANCES.f32;

describe('logit comparison', () => {
  it('log-softmax is shift-invariant and sums to one', () => {
    const a = logSoftmax([1, 2, 3, 4]);
    const b = logSoftmax([101, 102, 103, 104]);
    for (let i = 0; i < 4; i++) expect(a[i]).toBeCloseTo(b[i]!, 12);
    expect(a.reduce((s, x) => s + Math.exp(x), 0)).toBeCloseTo(1, 12);
  });

  it('top lists order by value, ties by lower id', () => {
    expect(topList([0.5, 2, 2, -1], 3)).toEqual([[1, 2], [2, 2], [0, 0.5]]);
  });

  it('measures the largest difference over the reference top tokens and the overlap', () => {
    const ref = logSoftmax([5, 4, 3, 0, 0]);
    const got = Float64Array.from(ref);
    got[2]! += 0.01;
    got[4]! += 4; // outside the reference's top 3: changes the overlap, not the difference
    const r = comparePosition(topList(ref, 3), fullDistribution(got, 3), f32);
    expect(r.maxDiff).toBeCloseTo(0.01, 9);
    expect(r.top1).toBe(true);
    expect(r.overlap).toBeCloseTo(2 / 3, 9);
  });

  it('a different top-1 is a near tie only within the tolerance', () => {
    // The reference's own margin decides: 0.0005 apart in the reference is a tie at f32's 1e-3, 0.01 is not.
    const tie = topList(logSoftmax([3, 2.9995, 0]), 3);
    expect(comparePosition(tie, fullDistribution(logSoftmax([2.9995, 3, 0]), 3), f32).top1).toBe(true);
    const clear = topList(logSoftmax([3, 2.99, 0]), 3);
    expect(comparePosition(clear, fullDistribution(logSoftmax([2.99, 3, 0]), 3), f32).top1).toBe(false);
  });

  it('a likely token the export calls impossible is an infinite difference', () => {
    const ref = topList(logSoftmax([1, 0]), 2);
    expect(comparePosition(ref, fullDistribution([0, -Infinity], 2), f32).maxDiff).toBe(Infinity);
  });

  it('compares list-only distributions on the ids both know', () => {
    const r = comparePosition([[1, -0.1], [2, -2]], listDistribution([[1, -0.1005], [3, -1.9]]), f32);
    expect(r.maxDiff).toBeCloseTo(0.0005, 9);
    expect(r.overlap).toBe(0.5);
  });

  it('summarises positions into a verdict and names the worst', () => {
    const good = { maxDiff: 1e-4, top1: true, overlap: 1 };
    expect(summarize([[good, good], [good]], f32)).toMatchObject({ passed: true, positions: 3, top1Agree: 3 });
    const s = summarize([[good], [good, { maxDiff: 0.5, top1: true, overlap: 1 }]], f32);
    expect(s).toMatchObject({ passed: false, worstPrompt: 2, worstPosition: 1, maxDiff: 0.5 });
    expect(summarize([[{ ...good, top1: false }]], f32).passed).toBe(false);
    expect(summarize([[{ ...good, top1: false }]], TOLERANCES.q4_k_m).passed).toBe(true);
    expect(summarize([[{ ...good, overlap: 0.3 }]], TOLERANCES.q4_k_m).passed).toBe(false);
    expect(summarize([], f32).passed).toBe(false);
  });

  it('GGUF limits are at least f16’s (llama.cpp’s f16 KV cache); formats numbers for messages', () => {
    expect(ggufTolerance('f32').maxDiff).toBe(TOLERANCES.f16.maxDiff);
    expect(ggufTolerance('q4_0').maxDiff).toBe(TOLERANCES.q4_0.maxDiff);
    expect(formatDiff(0.000123456)).toBe('1.23e-4');
    expect(formatDiff(0.0123456)).toBe('0.0123');
    expect(formatDiff(Infinity)).toBe('Infinity');
  });
});
