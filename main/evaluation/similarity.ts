// Scores a set of predictions against references the way LLaMA-Factory's ComputeSimilarity reports them: the mean
// over samples of sentence BLEU-4 and ROUGE-1/2/L F1, each ×100. Pure functions; generation lives in main/runs.
import { sentenceBleu4 } from './bleu.js';
import { rouge } from './rouge.js';
import { textUnits } from './text-units.js';

export interface SimilarityScores {
  readonly samples: number;
  readonly bleu4: number;
  readonly rouge1: number;
  readonly rouge2: number;
  readonly rougeL: number;
}

export function scorePair(prediction: string, reference: string): Omit<SimilarityScores, 'samples'> {
  const hyp = textUnits(prediction);
  const ref = textUnits(reference);
  const r = hyp.length === 0 || ref.length === 0 ? { rouge1: 0, rouge2: 0, rougeL: 0 } : rouge(hyp, ref);
  return { bleu4: sentenceBleu4(hyp, ref) * 100, rouge1: r.rouge1 * 100, rouge2: r.rouge2 * 100, rougeL: r.rougeL * 100 };
}

export function scoreAll(pairs: readonly { readonly prediction: string; readonly reference: string }[]): SimilarityScores {
  const sum = { bleu4: 0, rouge1: 0, rouge2: 0, rougeL: 0 };
  for (const p of pairs) {
    const s = scorePair(p.prediction, p.reference);
    sum.bleu4 += s.bleu4;
    sum.rouge1 += s.rouge1;
    sum.rouge2 += s.rouge2;
    sum.rougeL += s.rougeL;
  }
  const n = Math.max(1, pairs.length);
  return { samples: pairs.length, bleu4: sum.bleu4 / n, rouge1: sum.rouge1 / n, rouge2: sum.rouge2 / n, rougeL: sum.rougeL / n };
}
