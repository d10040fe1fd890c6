import { describe, expect, it } from 'vitest';
import { RowPageCache } from './row-page-cache.js';

function setup(maxPages = 50) {
  const calls: [number, number][] = [];
  let loaded = 0;
  const cache = new RowPageCache<number>(
    async (offset, limit) => {
      calls.push([offset, limit]);
      return { rows: Array.from({ length: limit }, (_, i) => offset + i) };
    },
    () => loaded++,
    () => undefined,
    10,
    maxPages,
  );
  return { cache, calls, loaded: () => loaded };
}

describe('RowPageCache', () => {
  it('fetches each needed page once and serves rows from it', async () => {
    const { cache, calls, loaded } = setup();
    cache.ensure(5, 25);
    cache.ensure(5, 25);
    expect(calls).toEqual([[0, 10], [10, 10], [20, 10]]);
    expect(cache.get(12)).toBeUndefined();
    await Promise.resolve();
    await Promise.resolve();
    expect(loaded()).toBe(3);
    expect(cache.get(12)).toBe(12);
    expect(cache.get(29)).toBe(29);
  });

  it('drops the least recently used page past the limit, and ignores answers after clear()', async () => {
    const { cache, calls } = setup(2);
    cache.ensure(0, 10);
    cache.ensure(10, 20);
    await new Promise((r) => setTimeout(r, 0));
    cache.ensure(0, 10); // page 0 becomes most recent
    cache.ensure(20, 30);
    await new Promise((r) => setTimeout(r, 0));
    expect(cache.get(5)).toBe(5);
    expect(cache.get(15)).toBeUndefined();
    cache.ensure(40, 50);
    cache.clear();
    await new Promise((r) => setTimeout(r, 0));
    expect(cache.get(45)).toBeUndefined();
    expect(calls.length).toBe(4);
  });

  it('replaces an edited row in place', async () => {
    const { cache } = setup();
    cache.ensure(0, 10);
    await new Promise((r) => setTimeout(r, 0));
    cache.replace(3, 99);
    expect(cache.get(3)).toBe(99);
  });
});
