import { describe, expect, it } from 'vitest';
import { MAX_SCROLL_PX, nextIndex, scrollToIndex, virtualWindow } from './virtual-window.js';

describe('virtualWindow', () => {
  it('draws only the visible rows plus overscan', () => {
    const w = virtualWindow(320, 400, 32, 1000, 2);
    expect(w.start).toBe(8);
    expect(w.end).toBe(10 + 13 + 2 - 0); // rows 10..22 visible (ceil(720/32)=23), +2 overscan
    expect(w.offsetTop).toBe(8 * 32);
    expect(w.scrollHeight).toBe(32_000);
  });

  it('clamps at both ends', () => {
    expect(virtualWindow(-50, 400, 32, 1000, 0).start).toBe(0);
    const w = virtualWindow(1e9, 400, 32, 1000, 0);
    expect(w.end).toBe(1000);
    expect(virtualWindow(0, 400, 32, 0).end).toBe(0);
  });

  it('compresses a million rows under the browser height cap and still reaches the last row', () => {
    const total = 1_000_000;
    const w0 = virtualWindow(0, 600, 32, total, 0);
    expect(w0.scrollHeight).toBe(MAX_SCROLL_PX);
    expect(w0.start).toBe(0);
    const last = virtualWindow(MAX_SCROLL_PX - 600, 600, 32, total, 0);
    expect(last.end).toBe(total);
    // The last row's bottom sits exactly at the bottom of the viewport.
    const lastRowTop = last.offsetTop + (total - 1 - last.start) * 32;
    expect(lastRowTop + 32).toBeCloseTo(MAX_SCROLL_PX, 3);
    const mid = virtualWindow((MAX_SCROLL_PX - 600) / 2, 600, 32, total, 0);
    expect(mid.start).toBeGreaterThan(499_000);
    expect(mid.start).toBeLessThan(501_000);
  });
});

describe('scrollToIndex', () => {
  it('scrolls only when the row is out of view', () => {
    expect(scrollToIndex(5, 0, 320, 32, 100)).toBe(0);
    expect(scrollToIndex(20, 0, 320, 32, 100)).toBe(21 * 32 - 320);
    expect(scrollToIndex(2, 500, 320, 32, 100)).toBe(64);
  });

  it('maps through the compression so the row lands in the computed window', () => {
    const total = 1_000_000;
    const top = scrollToIndex(750_000, 0, 600, 32, total);
    const w = virtualWindow(top, 600, 32, total, 0);
    expect(w.start).toBeLessThanOrEqual(750_000);
    expect(w.end).toBeGreaterThan(750_000);
  });
});

describe('nextIndex', () => {
  it('moves by row, page and to the ends', () => {
    expect(nextIndex('ArrowDown', 0, 10, 5)).toBe(1);
    expect(nextIndex('ArrowUp', 0, 10, 5)).toBe(0);
    expect(nextIndex('PageDown', 0, 10, 5)).toBe(4);
    expect(nextIndex('End', 0, 10, 5)).toBe(9);
    expect(nextIndex('Home', 7, 10, 5)).toBe(0);
    expect(nextIndex('x', 7, 10, 5)).toBeUndefined();
    expect(nextIndex('ArrowDown', 0, 0, 5)).toBeUndefined();
  });
});
