// Dataset-wide numbers for the preview: length histogram, share truncated at cutoff_len, total and trainable
// tokens, steps per epoch. Pure arithmetic over per-record lengths; encodes nothing itself.
import type { DatasetStatsDto } from '../../preload/contract/preview.js';

export interface RecordLength {
  readonly length: number;
  readonly trainable: number;
  readonly truncated: boolean;
}

/** Bin edges at powers of two up to the cutoff (0, 16, 32, 64, …, cutoff): lengths of chat data spread that way. */
export function histogramEdges(cutoffLen: number): number[] {
  const edges = [0];
  for (let e = 16; e < cutoffLen; e *= 2) edges.push(e);
  edges.push(cutoffLen);
  return edges;
}

function percentile(sorted: Int32Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export function datasetStats(
  lengths: readonly RecordLength[],
  skipped: number,
  cutoffLen: number,
  batchSize: number,
  gradientAccumulation: number,
): DatasetStatsDto {
  const edges = histogramEdges(cutoffLen);
  const counts = new Array<number>(edges.length - 1).fill(0);
  const sorted = Int32Array.from(lengths.map((l) => l.length)).sort();
  let total = 0;
  let trainable = 0;
  let truncated = 0;
  for (const l of lengths) {
    total += l.length;
    trainable += l.trainable;
    if (l.truncated) truncated++;
    // Bin i holds (edges[i], edges[i+1]]; length 0 goes to the first bin.
    let b = 0;
    while (b < counts.length - 1 && l.length > edges[b + 1]!) b++;
    counts[b]!++;
  }
  const n = lengths.length;
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
    p50Length: percentile(sorted, 50),
    p95Length: percentile(sorted, 95),
    maxLength: sorted.length ? sorted[sorted.length - 1]! : 0,
    histogram: { edges, counts },
    batchSize,
    gradientAccumulation,
    stepsPerEpoch,
  };
}
