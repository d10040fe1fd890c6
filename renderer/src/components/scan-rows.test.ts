import { describe, expect, it } from 'vitest';
import { scanRows } from './scan-rows.js';

const source = (n: number) => async (offset: number, limit: number) => ({ total: n, rows: Array.from({ length: Math.max(0, Math.min(limit, n - offset)) }, (_, i) => offset + i) });

describe('scanRows', () => {
  it('finds every match across pages and reports progress', async () => {
    const progress: number[] = [];
    const r = await scanRows(source(2500), (x) => x % 1000 === 7, { onProgress: (s) => progress.push(s) });
    expect(r.matches).toEqual([7, 1007, 2007]);
    expect(progress).toEqual([1000, 2000, 2500]);
    expect(r).toMatchObject({ scanned: 2500, total: 2500, capped: false });
  });

  it('stops when cancelled and when the match cap is reached', async () => {
    const ac = new AbortController();
    const r = await scanRows(source(5000), () => true, { onProgress: () => ac.abort(), signal: ac.signal, maxMatches: 1e9 });
    expect(r.scanned).toBe(1000);
    const capped = await scanRows(source(5000), () => true, { maxMatches: 10 });
    expect(capped).toMatchObject({ capped: true });
    expect(capped.matches).toHaveLength(10);
  });
});
