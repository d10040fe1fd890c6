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

/** Adds `c`'s records to the `keep` longest by length before truncation, longest first; ties keep the lower index first. */
function addLongest(top: LongRecordDto[], c: MeasuredChunk, keep: number): void {
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

/**
 * The statistics a chunk at a time (the caller may yield in between: a million records take ~50 ms in all). Lengths
 * before truncation are binned on every edge histogramEdges can give; the bins past the edges it gives for the
 * longest record seen are empty, so they are dropped at the end.
 */
export class StatsAccumulator {
  private readonly edges: number[];
  private readonly counts: number[];
  /** Records per length after truncation (grown as needed): percentiles without sorting. */
  private byLength: Int32Array;
  private readonly top: LongRecordDto[] = [];
  private n = 0;
  private skipped = 0;
  private maxFull = 0;
  private maxLen = 0;
  private total = 0;
  private trainable = 0;
  private truncated = 0;

  constructor(private readonly cutoffLen: number) {
    this.edges = histogramEdges(cutoffLen, cutoffLen * 4);
    this.counts = new Array<number>(this.edges.length - 1).fill(0);
    this.byLength = new Int32Array(cutoffLen + 2);
  }

  add(c: MeasuredChunk): void {
    const { edges, counts } = this;
    this.n += c.length.length;
    this.skipped += c.skipped;
    for (let i = 0; i < c.length.length; i++) {
      const len = c.length[i]!;
      const full = c.full[i]!;
      if (len >= this.byLength.length) {
        const grown = new Int32Array(Math.max(len + 1, this.byLength.length * 2));
        grown.set(this.byLength);
        this.byLength = grown;
      }
      this.byLength[len]!++;
      if (len > this.maxLen) this.maxLen = len;
      if (full > this.maxFull) this.maxFull = full;
      this.total += len;
      this.trainable += c.trainable[i]!;
      if (len < full) this.truncated++;
      // Bin b holds (edges[b], edges[b+1]] of the length before truncation; 0 goes to the first, longer than the
      // last edge to the last.
      let b = 0;
      while (b < counts.length - 1 && full > edges[b + 1]!) b++;
      counts[b]!++;
    }
    addLongest(this.top, c, LONGEST_KEPT);
  }

  result(batchSize: number, gradientAccumulation: number): DatasetStatsDto {
    const { n, total } = this;
    const edges = histogramEdges(this.cutoffLen, this.maxFull);
    const counts = this.counts.slice(0, edges.length - 1);
    // Trainer-style: one optimiser step per batchSize × gradientAccumulation sequences, last partial batch kept.
    const stepsPerEpoch = n === 0 ? 0 : Math.ceil(n / (batchSize * gradientAccumulation));
    return {
      records: n,
      skipped: this.skipped,
      totalTokens: total,
      trainableTokens: this.trainable,
      truncated: this.truncated,
      truncatedShare: n === 0 ? 0 : this.truncated / n,
      cutoffLen: this.cutoffLen,
      meanLength: n === 0 ? 0 : total / n,
      p50Length: percentile(this.byLength, n, 50),
      p95Length: percentile(this.byLength, n, 95),
      maxLength: this.maxLen,
      maxFullLength: this.maxFull,
      histogram: { edges, counts },
      longest: [...this.top],
      batchSize,
      gradientAccumulation,
      stepsPerEpoch,
    };
  }
}

export function datasetStats(chunks: readonly MeasuredChunk[], cutoffLen: number, batchSize: number, gradientAccumulation: number): DatasetStatsDto {
  const acc = new StatsAccumulator(cutoffLen);
  for (const c of chunks) acc.add(c);
  return acc.result(batchSize, gradientAccumulation);
}
