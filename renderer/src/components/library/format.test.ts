import { describe, expect, it } from 'vitest';
import { formatBytes, formatParams } from './format.js';

describe('models page formatting', () => {
  it('formats parameter counts', () => {
    expect(formatParams(7_615_616_512)).toBe('7.6B');
    expect(formatParams(14_770_000_000)).toBe('15B');
    expect(formatParams(494_032_768)).toBe('494M');
    expect(formatParams(0)).toBe('–');
  });
  it('formats bytes in binary units', () => {
    expect(formatBytes(3_578_192)).toBe('3.4 MiB');
  });
});
