// Numbers on the Models page: parameters (7.6B), bytes and times reuse components/eta.ts.
export { formatBytes, formatDuration } from '../eta.js';

/** 7_615_616_512 → "7.6B", 494_000_000 → "494M". */
export function formatParams(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '–';
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)}B`;
  if (n >= 1e6) return `${Math.round(n / 1e6)}M`;
  return `${Math.round(n / 1e3)}K`;
}
