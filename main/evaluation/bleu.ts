// Sentence-level BLEU-4 (Papineni et al. 2002) as NLTK's `sentence_bleu` computes it with equal weights and
// `SmoothingFunction().method3` (NIST geometric smoothing), which is what LLaMA-Factory's `ComputeSimilarity`
// reports (×100, averaged over samples). Works on pre-split units (text-units.ts); one reference per sample.

function ngramCounts(units: readonly string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= units.length; i++) {
    const key = units.slice(i, i + n).join('\u0001');
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

/** Clipped n-gram matches and the hypothesis' n-gram count (at least 1, as NLTK's modified_precision). */
export function modifiedPrecision(hyp: readonly string[], ref: readonly string[], n: number): { matches: number; total: number } {
  const h = ngramCounts(hyp, n);
  const r = ngramCounts(ref, n);
  let matches = 0;
  let total = 0;
  for (const [k, c] of h) {
    matches += Math.min(c, r.get(k) ?? 0);
    total += c;
  }
  return { matches, total: Math.max(1, total) };
}

/** BLEU-4 of one hypothesis against one reference, in [0, 1]. */
export function sentenceBleu4(hyp: readonly string[], ref: readonly string[]): number {
  const p = [1, 2, 3, 4].map((n) => modifiedPrecision(hyp, ref, n));
  // NLTK returns 0 when nothing matches at the unigram level, before smoothing.
  if (p[0]!.matches === 0) return 0;
  // method3: the k-th zero precision (k = 1, 2, …) becomes 1 / (2^k · total).
  let k = 1;
  let logSum = 0;
  for (const { matches, total } of p) {
    const pn = matches > 0 ? matches / total : 1 / (2 ** k++ * total);
    logSum += 0.25 * Math.log(pn);
  }
  const c = hyp.length;
  const r = ref.length;
  const bp = c > r ? 1 : c === 0 ? 0 : Math.exp(1 - r / c);
  return bp * Math.exp(logSum);
}
