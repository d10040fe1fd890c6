// Lengths and trained tokens of measured records at a given cutoff_len / train_on_prompt / mask_history, from their
// per-turn token counts: LLaMA-Factory's infer_seqlen walk as TemplateEncoder.encode does it (record-encoder.ts;
// turn-layout.test.ts checks the two agree). Arithmetic only, so a new cutoff costs no tokenizing.
import { inferSeqlen } from '../templates/record-encoder.js';
import type { TurnChunk } from './measure-chunk.js';
import type { MeasuredChunk } from './preview-stats.js';

export interface LayoutOptions {
  readonly cutoffLen: number;
  readonly trainOnPrompt: boolean;
  readonly maskHistory: boolean;
  /** The template's efficient_eos: one EOS closes the sequence, and later prompts start with a trained EOS. */
  readonly efficientEos: boolean;
  /** The tokenizer has the template's EOS token. */
  readonly hasEos: boolean;
}

export function layoutChunk(c: TurnChunk, o: LayoutOptions): MeasuredChunk {
  const n = c.index.length;
  const length = new Int32Array(n);
  const full = new Int32Array(n);
  const trainable = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const from = r === 0 ? 0 : c.turnEnd[r - 1]!;
    const to = c.turnEnd[r]!;
    let fullLength = o.efficientEos ? 1 : 0;
    for (let t = from; t < to; t++) fullLength += c.src[t]! + c.tgt[t]!;
    // Turns in LLaMA-Factory's order: last first under mask_history.
    let total = o.efficientEos ? 1 : 0;
    let kept = 0;
    let trained = 0;
    for (let step = 0; step < to - from; step++) {
      if (total >= o.cutoffLen) break;
      const t = o.maskHistory ? to - 1 - step : from + step;
      const [srcLen, tgtLen] = inferSeqlen(c.src[t]!, c.tgt[t]!, o.cutoffLen - total);
      total += srcLen + tgtLen;
      kept += srcLen + tgtLen;
      if (o.trainOnPrompt) trained += srcLen;
      else if (o.efficientEos && step !== 0 && srcLen > 0 && o.hasEos) trained += 1;
      if (!(o.maskHistory && step !== 0)) trained += tgtLen;
    }
    if (o.efficientEos && o.hasEos) {
      kept += 1;
      trained += 1;
    }
    length[r] = kept;
    full[r] = fullLength;
    trainable[r] = trained;
  }
  return { index: c.index, length, full, trainable, skipped: c.skipped };
}
