// Encodes a slice of records into ids + masks for the .ltok writer; the same code runs in a worker thread or
// in-process. Records the template cannot render are skipped with their reason (LLaMA-Factory drops them).
import { LatheError } from '../../preload/contract/errors.js';
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import { IGNORE_INDEX, TemplateEncoder, type EncoderOptions, type ResolvedTemplate, type SpecialTokens } from '../templates/record-encoder.js';
import type { Tokenizer } from './tokenizer.js';
import type { LtokChunk } from './ltok-format.js';

export interface ChunkSetup {
  readonly tokenizerPath: string;
  readonly template: ResolvedTemplate;
  readonly special: SpecialTokens;
  readonly options: EncoderOptions;
}

export interface ChunkResult extends LtokChunk {
  /** Indices (within the chunk) of skipped records, with why. */
  readonly skipped: { readonly index: number; readonly reason: string }[];
  readonly trainable: number;
}

export function encodeChunk(tokenizer: Tokenizer, setup: ChunkSetup, records: readonly NormalisedRecord[], encoder?: TemplateEncoder): ChunkResult {
  const enc = encoder ?? new TemplateEncoder(tokenizer, setup.template, setup.special);
  const lengths: number[] = [];
  const ids: number[] = [];
  const mask: number[] = [];
  const skipped: { index: number; reason: string }[] = [];
  let trainable = 0;
  records.forEach((rec, index) => {
    let e;
    try {
      e = enc.encode(rec, setup.options);
    } catch (err) {
      // A record the template cannot render (tool schemas, function calls) is skipped like an invalid one.
      if (err instanceof LatheError && err.code !== 'internal') e = { ok: false as const, reason: err.message };
      else throw err;
    }
    if (!e.ok) {
      skipped.push({ index, reason: e.reason });
      return;
    }
    for (let t = 0; t < e.inputIds.length; t++) {
      const label = e.labels[t]!;
      if (label !== IGNORE_INDEX && label !== e.inputIds[t]) {
        // Efficient-EOS templates label a prompt token with EOS; the .ltok mask cannot say that.
        throw new LatheError('unsupported', 'This template labels a token with a different token (efficient EOS): the tokenized file format cannot store that yet.');
      }
      ids.push(e.inputIds[t]!);
      const m = label === IGNORE_INDEX ? 0 : 1;
      mask.push(m);
      trainable += m;
    }
    lengths.push(e.inputIds.length);
  });
  return { lengths: Int32Array.from(lengths), ids: Uint32Array.from(ids), mask: Uint8Array.from(mask), skipped, trainable };
}
