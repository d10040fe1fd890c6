// Picks the next token from a logits row as transformers' generate() does: repetition penalty, then (when
// sampling) temperature → top-k → top-p → softmax → a seeded draw; greedy is argmax after the penalty.
// Used by the ONNX path; the native engine samples on its own (same order, its own RNG), so sampled tokens differ.

export interface PickOptions {
  readonly doSample: boolean;
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  readonly repetitionPenalty: number;
}

/**
 * HF RepetitionPenaltyLogitsProcessor (Keskar et al. 2019, CTRL, https://arxiv.org/abs/1909.05858): every id
 * already in the sequence (prompt and answer) has its logit divided by the penalty when positive, multiplied
 * when negative. Each id once, however often it occurs. In place.
 */
export function applyRepetitionPenalty(logits: Float32Array, seen: Iterable<number>, penalty: number): void {
  if (penalty === 1) return;
  const done = new Set<number>();
  for (const id of seen) {
    if (done.has(id) || id < 0 || id >= logits.length) continue;
    done.add(id);
    const s = logits[id]!;
    logits[id] = s < 0 ? s * penalty : s / penalty;
  }
}

/** First index of the largest value: torch.argmax's tie rule. */
export function argmax(logits: Float32Array): number {
  let best = 0;
  let bestV = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (v > bestV) {
      bestV = v;
      best = i;
    }
  }
  return best;
}

/** TopKLogitsWarper: everything below the k-th largest logit becomes -inf (ties with it survive). In place. */
export function applyTopK(logits: Float32Array, k: number): void {
  if (k <= 0 || k >= logits.length) return;
  const sorted = Float32Array.from(logits).sort();
  const kth = sorted[sorted.length - k]!;
  for (let i = 0; i < logits.length; i++) if (logits[i]! < kth) logits[i] = -Infinity;
}

/**
 * TopPLogitsWarper: sort ascending, drop the tokens whose cumulative probability is <= 1 - top_p, always keep
 * the most likely one. In place.
 */
export function applyTopP(logits: Float32Array, topP: number): void {
  if (topP >= 1) return;
  const probs = softmax(logits);
  const order = Array.from(probs.keys()).sort((a, b) => probs[a]! - probs[b]! || a - b);
  let cum = 0;
  for (let j = 0; j < order.length - 1; j++) {
    cum += probs[order[j]!]!;
    if (cum <= 1 - topP) logits[order[j]!] = -Infinity;
    else break;
  }
}

export function softmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = logits[i] === -Infinity ? 0 : Math.exp(logits[i]! - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** SplitMix64 (Steele et al.), reduced to doubles in [0, 1): a small, platform-independent seeded stream. */
export class SeededRandom {
  private state: bigint;
  constructor(seed: number) {
    this.state = BigInt.asUintN(64, BigInt(seed));
  }

  next(): number {
    this.state = BigInt.asUintN(64, this.state + 0x9e3779b97f4a7c15n);
    let z = this.state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    z ^= z >> 31n;
    return Number(z >> 11n) / 2 ** 53;
  }
}

/** The next token id; `logits` is modified. `seen` is every id of the sequence so far. */
export function pickToken(logits: Float32Array, seen: Iterable<number>, o: PickOptions, rng: SeededRandom): number {
  applyRepetitionPenalty(logits, seen, o.repetitionPenalty);
  // transformers: temperature 0 (or do_sample false) means greedy.
  if (!o.doSample || o.temperature === 0) return argmax(logits);
  if (o.temperature !== 1) for (let i = 0; i < logits.length; i++) logits[i]! /= o.temperature;
  applyTopK(logits, o.topK);
  applyTopP(logits, o.topP);
  const probs = softmax(logits);
  const r = rng.next();
  let cum = 0;
  for (let i = 0; i < probs.length; i++) {
    cum += probs[i]!;
    if (r < cum) return i;
  }
  // Rounding left r above the last cumulative sum: the last token that has any probability.
  for (let i = probs.length - 1; i >= 0; i--) if (probs[i]! > 0) return i;
  return argmax(logits);
}
