// Dataset-wide numbers for the preview: length histogram around cutoff_len, share truncated, total and trainable
// tokens, percentiles, the longest records, steps per epoch. Pure arithmetic over measured lengths; encodes nothing.
import type { DatasetStatsDto, LongRecordDto } from '../../preload/contract/preview.js';

/** Per-record numbers of one chunk of a source (records it could encode; skipped ones only counted), columnar. */
export interface MeasuredChunk {
  /** The record's index in the source (a stored dataset's row idx, else the position). */
  readonly index: Int32Array;
  /** Tokens after truncation at cutoff_len. */
  readonly length: Int32Array;
  /** Tokens before truncation. */
  readonly full: Int32Array;
  /** Tokens with a label (trained), after truncation. */
  readonly trainable: Int32Array;
  /** Records the template could not render (LLaMA-Factory drops them). */
  readonly skipped: number;
}

export const LONGEST_KEPT = 10;

/**
 * Bin edges at powers of two up to the cutoff (0, 16, 32, 64, …, cutoff), lengths of chat data spread that way; then
 * 2×cutoff and 4×cutoff when records are that long. The last bin also holds every record longer than its upper edge,
 * so the chart stays readable when one record is a hundred times the cutoff.
 */
export function histogramEdges(cutoffLen: number, maxFullLength = 0): number[] {
  const edges = [0];
  for (let e = 16; e < cutoffLen; e *= 2) edges.push(e);
  edges.push(cutoffLen);
  if (maxFullLength > cutoffLen) edges.push(cutoffLen * 2);
  if (maxFullLength > cutoffLen * 2) edges.push(cutoffLen * 4);
  return edges;
}

/** The nearest-rank percentile of n lengths given as counts per length (`counts[len]`): what sorting would give, in O(n + max). */
function percentile(counts: Int32Array, n: number, p: number): number {
  if (n === 0) return 0;
  const k = Math.min(n - 1, Math.ceil((p / 100) * n) - 1);
  if (k < 0) return 0;
  let seen = 0;
  for (let len = 0; len < counts.length; len++) {
    seen += counts[len]!;
    if (seen > k) return len;
  }
  return counts.length - 1;
}

/** The `keep` longest by length before truncation, longest first; ties keep the lower index first. */
function longestOf(chunks: readonly MeasuredChunk[], keep: number): LongRecordDto[] {
  const top: LongRecordDto[] = [];
  for (const c of chunks) {
    for (let i = 0; i < c.full.length; i++) {
      const full = c.full[i]!;
      if (top.length === keep && full <= top[top.length - 1]!.fullLength) continue;
      const entry = { index: c.index[i]!, fullLength: full, tokenCount: c.length[i]! };
      let at = top.length;
      while (at > 0 && (top[at - 1]!.fullLength < full || (top[at - 1]!.fullLength === full && top[at - 1]!.index > entry.index))) at--;
      top.splice(at, 0, entry);
      if (top.length > keep) top.pop();
    }
  }
  return top;
}

export function datasetStats(chunks: readonly MeasuredChunk[], cutoffLen: number, batchSize: number, gradientAccumulation: number): DatasetStatsDto {
  let n = 0;
  let skipped = 0;
  let maxFull = 0;
  let maxLen = 0;
  for (const c of chunks) {
    n += c.length.length;
    skipped += c.skipped;
    for (let i = 0; i < c.full.length; i++) if (c.full[i]! > maxFull) maxFull = c.full[i]!;
    for (let i = 0; i < c.length.length; i++) if (c.length[i]! > maxLen) maxLen = c.length[i]!;
  }
  const edges = histogramEdges(cutoffLen, maxFull);
  const counts = new Array<number>(edges.length - 1).fill(0);
  // Lengths after truncation are at most about cutoff_len: counted per length instead of sorted (a million records
  // sorted held the main thread ~60 ms).
  const byLength = new Int32Array(maxLen + 1);
  let total = 0;
  let trainable = 0;
  let truncated = 0;
  for (const c of chunks) {
    for (let i = 0; i < c.length.length; i++) {
      const len = c.length[i]!;
      const full = c.full[i]!;
      byLength[len]!++;
      total += len;
      trainable += c.trainable[i]!;
      if (len < full) truncated++;
      // Bin b holds (edges[b], edges[b+1]] of the length before truncation; 0 goes to the first, longer than the
      // last edge to the last.
      let b = 0;
      while (b < counts.length - 1 && full > edges[b + 1]!) b++;
      counts[b]!++;
    }
  }
  // Trainer-style: one optimiser step per batchSize × gradientAccumulation sequences, last partial batch kept.
  const stepsPerEpoch = n === 0 ? 0 : Math.ceil(n / (batchSize * gradientAccumulation));
  return {
    records: n,
    skipped,
    totalTokens: total,
    trainableTokens: trainable,
    truncated,
    truncatedShare: n === 0 ? 0 : truncated / n,
    cutoffLen,
    meanLength: n === 0 ? 0 : total / n,
    p50Length: percentile(byLength, n, 50),
    p95Length: percentile(byLength, n, 95),
    maxLength: maxLen,
    maxFullLength: maxFull,
    histogram: { edges, counts },
    longest: longestOf(chunks, LONGEST_KEPT),
    batchSize,
    gradientAccumulation,
    stepsPerEpoch,
  };
}
