// ROUGE-1, ROUGE-2 (n-gram overlap) and ROUGE-L (longest common subsequence) F1 of one prediction against one
// reference (Lin 2004), on pre-split units (text-units.ts). Sentence-level LCS, not the summary-level union-LCS
// variant; β = 1 as in the `rouge`/`rouge-chinese` packages' F-score that LLaMA-Factory averages.

export interface RougeScores {
  readonly rouge1: number;
  readonly rouge2: number;
  readonly rougeL: number;
}

function f1(overlap: number, hypCount: number, refCount: number): number {
  if (overlap === 0 || hypCount === 0 || refCount === 0) return 0;
  const p = overlap / hypCount;
  const r = overlap / refCount;
  return (2 * p * r) / (p + r);
}

function rougeN(hyp: readonly string[], ref: readonly string[], n: number): number {
  const counts = (u: readonly string[]) => {
    const m = new Map<string, number>();
    for (let i = 0; i + n <= u.length; i++) {
      const k = u.slice(i, i + n).join('\u0001');
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  };
  const h = counts(hyp);
  const r = counts(ref);
  let overlap = 0;
  for (const [k, c] of h) overlap += Math.min(c, r.get(k) ?? 0);
  return f1(overlap, Math.max(0, hyp.length - n + 1), Math.max(0, ref.length - n + 1));
}

/** Length of the longest common subsequence, O(n·m) time, O(m) memory. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

export function rouge(hyp: readonly string[], ref: readonly string[]): RougeScores {
  return {
    rouge1: rougeN(hyp, ref, 1),
    rouge2: rougeN(hyp, ref, 2),
    rougeL: f1(lcsLength(hyp, ref), hyp.length, ref.length),
  };
}
