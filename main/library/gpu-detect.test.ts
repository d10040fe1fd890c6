import { describe, expect, it } from 'vitest';
import { fits, parseNvidiaSmi } from './gpu-detect.js';

describe('GPU detection', () => {
  it('parses nvidia-smi csv lines in MiB (the first line as captured from an H200 machine)', () => {
    expect(parseNvidiaSmi('NVIDIA H200, 143771 MiB\nNVIDIA GeForce RTX 4090, 24564 MiB\n')).toEqual([
      { name: 'NVIDIA H200', memoryBytes: 143771 * 1024 ** 2 },
      { name: 'NVIDIA GeForce RTX 4090', memoryBytes: 24564 * 1024 ** 2 },
    ]);
    expect(parseNvidiaSmi('No devices were found')).toEqual([]);
  });

  it('fits compares against GPU memory; unknown without a GPU', () => {
    const gpu = { name: 'g', memoryBytes: 1000 };
    expect(fits(1000, gpu)).toBe(true);
    expect(fits(1001, gpu)).toBe(false);
    expect(fits(10, null)).toBeNull();
    expect(fits(null, gpu)).toBeNull();
  });
});
