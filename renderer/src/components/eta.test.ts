import { describe, expect, it } from 'vitest';
import { etaSeconds, formatBytes, formatDuration } from './eta.js';

describe('progress time', () => {
  it('estimates the time left from the rate so far', () => {
    expect(etaSeconds(10, 25, 100)).toBe(30);
    expect(etaSeconds(0, 0, 100)).toBeUndefined();
    expect(etaSeconds(5, 100, 100)).toBe(0);
    expect(etaSeconds(5, 3, 0)).toBeUndefined();
  });

  it('formats durations and sizes', () => {
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(NaN)).toBe('–');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(8 * 1024 ** 3)).toBe('8.0 GiB');
  });
});
