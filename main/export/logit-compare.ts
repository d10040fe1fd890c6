// Compares next-token distributions of an exported model with the engine's (base + adapter): per position, the
// largest |Δ log-probability| over the reference's top-K tokens, whether the top-1 token agrees, and how much the two
// top-K sets overlap; judged against a tolerance per precision. Pure functions; runs no model.
// Log-probabilities, not raw logits: llama.cpp only hands out probabilities, and a log-softmax is the same for
// logits shifted by a constant, which an export may legitimately do.

/** The precision a file stores its weights in: merged / ONNX dtypes and GGUF tensor types. */
export type Precision = 'f32' | 'f16' | 'bf16' | 'q8_0' | 'q4_0' | 'q4_k_m';

export interface Tolerance {
  /** Largest allowed |Δ log p| (nats) over the reference's top-K tokens. */
  readonly maxDiff: number;
  /** The exported top-1 must be the reference's (or within maxDiff of it in the reference: a near tie). */
  readonly top1: boolean;
  /** Smallest allowed share of the reference's top-K among the export's top-K, 0..1. */
  readonly minOverlap: number;
}

/**
 * f32 differs from the engine only by summation order (measured ≤ 1e-6 on the tiny model, merged and ONNX);
 * f16 / bf16 weights carry 11 / 8 significant bits, so logits move by about that relative step times their size
 * (tiny model: 7e-4 / 4e-3; a trained model's logits are ~10× larger, hence the margin); q8_0 is close to f16
 * (llama.cpp reports a mean KL divergence of ~1e-3 on Llama models); 4-bit files are judged by the overlap of the
 * likely tokens, not by exact numbers (tiny model: 0.15 nats, 55 % overlap).
 */
export const TOLERANCES: Readonly<Record<Precision, Tolerance>> = {
  f32: { maxDiff: 1e-3, top1: true, minOverlap: 0.9 },
  f16: { maxDiff: 0.05, top1: true, minOverlap: 0.8 },
  bf16: { maxDiff: 0.25, top1: true, minOverlap: 0.7 },
  q8_0: { maxDiff: 0.3, top1: true, minOverlap: 0.6 },
  q4_0: { maxDiff: 2, top1: false, minOverlap: 0.4 },
  q4_k_m: { maxDiff: 2, top1: false, minOverlap: 0.4 },
};

/** llama.cpp keeps its KV cache in f16 whatever the weights (tiny model, f32 GGUF: 4e-4): at least f16's limits. */
export function ggufTolerance(quant: Precision): Tolerance {
  const t = TOLERANCES[quant];
  const f16 = TOLERANCES.f16;
  return { maxDiff: Math.max(t.maxDiff, f16.maxDiff), top1: t.top1, minOverlap: Math.min(t.minOverlap, f16.minOverlap) };
}

/** How many of the reference's most likely tokens are compared at each position. */
export const COMPARE_TOP_K = 20;

export type TopList = readonly (readonly [number, number])[];

/** log-softmax in f64 (max-shifted). */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let mx = -Infinity;
  for (let i = 0; i < logits.length; i++) mx = Math.max(mx, logits[i]!);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - mx);
  const lse = mx + Math.log(sum);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! - lse;
  return out;
}

/** The n largest (id, value), largest first, ties by lower id (as the engine orders them). */
export function topList(x: ArrayLike<number>, n: number): [number, number][] {
  const idx = Array.from({ length: x.length }, (_, i) => i);
  idx.sort((a, b) => x[b]! - x[a]! || a - b);
  return idx.slice(0, n).map((i) => [i, x[i]!]);
}

/** One side of a comparison at one position: its top list and, where known, the log-probability of any id. */
export interface Distribution {
  readonly top: TopList;
  logprob(id: number): number | undefined;
}

export function fullDistribution(logprobs: ArrayLike<number>, k = COMPARE_TOP_K): Distribution {
  return { top: topList(logprobs, k), logprob: (id) => logprobs[id] };
}

/** A distribution known only by its top list (an engine step of a continuation). */
export function listDistribution(top: TopList): Distribution {
  const m = new Map(top.map(([id, lp]) => [id, lp]));
  return { top, logprob: (id) => m.get(id) };
}

export interface PositionResult {
  readonly maxDiff: number;
  readonly top1: boolean;
  readonly overlap: number;
}

export function comparePosition(ref: TopList, got: Distribution, tol: Tolerance): PositionResult {
  let maxDiff = 0;
  for (const [id, lp] of ref) {
    const g = got.logprob(id);
    if (g !== undefined && Number.isFinite(g)) maxDiff = Math.max(maxDiff, Math.abs(g - lp));
    else if (g !== undefined) maxDiff = Infinity; // a likely token the export calls impossible
  }
  const best = got.top[0]?.[0];
  const refBest = ref[0];
  const refLpOfBest = best === undefined ? undefined : ref.find(([id]) => id === best)?.[1];
  const top1 = best === refBest?.[0] || (refBest !== undefined && refLpOfBest !== undefined && refBest[1] - refLpOfBest <= tol.maxDiff);
  const gotIds = new Set(got.top.slice(0, ref.length).map(([id]) => id));
  const overlap = ref.length ? ref.filter(([id]) => gotIds.has(id)).length / ref.length : 1;
  return { maxDiff, top1, overlap };
}

export interface ComparisonSummary {
  readonly passed: boolean;
  readonly positions: number;
  readonly maxDiff: number;
  readonly top1Agree: number;
  readonly minOverlap: number;
  /** 1-based prompt and 0-based position (0 = right after the prompt) of the largest difference. */
  readonly worstPrompt: number;
  readonly worstPosition: number;
}

/** results[p][i]: prompt p, position i. */
export function summarize(results: readonly (readonly PositionResult[])[], tol: Tolerance): ComparisonSummary {
  let positions = 0;
  let maxDiff = 0;
  let top1Agree = 0;
  let minOverlap = 1;
  let worstPrompt = 1;
  let worstPosition = 0;
  results.forEach((rs, p) =>
    rs.forEach((r, i) => {
      positions++;
      if (r.top1) top1Agree++;
      minOverlap = Math.min(minOverlap, r.overlap);
      if (r.maxDiff > maxDiff || (Number.isNaN(r.maxDiff) && !Number.isNaN(maxDiff))) [maxDiff, worstPrompt, worstPosition] = [r.maxDiff, p + 1, i];
    }),
  );
  const passed = positions > 0 && maxDiff <= tol.maxDiff && (!tol.top1 || top1Agree === positions) && minOverlap >= tol.minOverlap;
  return { passed, positions, maxDiff, top1Agree, minOverlap, worstPrompt, worstPosition };
}

/** A number for a message: 3 significant digits, exponent form when small. */
export function formatDiff(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}
