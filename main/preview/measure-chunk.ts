// Measures a chunk of records for the dataset statistics: each turn's prompt and answer token counts, nothing
// else kept (no ids, no text). Those do not depend on cutoff_len or train_on_prompt, so one measurement serves
// every cutoff (turn-layout.ts lays them out). The same code runs in a worker thread or in-process.
import { createHash } from 'node:crypto';
import { LatheError } from '../../preload/contract/errors.js';
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import type { EncoderOptions, TemplateEncoder } from '../templates/record-encoder.js';

/** What the job hands a worker: the records as JSON text (parsed there, off the main thread) and their indexes. */
export interface ChunkPayload {
  readonly indexes: Int32Array;
  readonly texts: readonly string[];
}

/** Token counts of the records a chunk could render (skipped ones only counted), columnar. */
export interface TurnChunk {
  /** Per record: its index in the source. */
  readonly index: Int32Array;
  /** Per record: the end of its turns in `src`/`tgt` (record r's turns are [turnEnd[r-1], turnEnd[r])). */
  readonly turnEnd: Int32Array;
  /** Per turn, in conversation order: prompt (source) and answer (target) tokens. */
  readonly src: Int32Array;
  readonly tgt: Int32Array;
  /** Records the template could not render (LLaMA-Factory drops them). */
  readonly skipped: number;
}

export function measureChunk(encoder: TemplateEncoder, options: EncoderOptions, payload: ChunkPayload): TurnChunk {
  const n = payload.texts.length;
  const index = new Int32Array(n);
  const turnEnd = new Int32Array(n);
  const src: number[] = [];
  const tgt: number[] = [];
  let k = 0;
  let skipped = 0;
  const ids = (els: readonly Parameters<TemplateEncoder['elementIds']>[0][]) => {
    let c = 0;
    for (const e of els) c += encoder.elementIds(e).length;
    return c;
  };
  for (let i = 0; i < n; i++) {
    const record = JSON.parse(payload.texts[i]!) as NormalisedRecord;
    const before = src.length;
    try {
      // The same turns and token counts TemplateEncoder.encode lays out (record-encoder.ts).
      const turns = encoder.turnsOf(record, options);
      if (!Array.isArray(turns)) {
        skipped++;
        continue;
      }
      for (const t of turns) {
        src.push(ids(t.source));
        tgt.push(ids(t.target));
      }
    } catch (err) {
      // A record the template cannot render (tool schemas, function calls) is skipped like an invalid one.
      if (!(err instanceof LatheError) || err.code === 'internal') throw err;
      src.length = before;
      tgt.length = before;
      skipped++;
      continue;
    }
    index[k] = payload.indexes[i]!;
    turnEnd[k] = src.length;
    k++;
  }
  return { index: index.slice(0, k), turnEnd: turnEnd.slice(0, k), src: Int32Array.from(src), tgt: Int32Array.from(tgt), skipped };
}

/** The cache key of a chunk: a content hash of the setup (setupKeyOf) and the chunk's records with their indexes. */
export function chunkKey(setupKey: string, p: ChunkPayload): string {
  const h = createHash('sha256').update(setupKey);
  for (let i = 0; i < p.texts.length; i++) h.update(`\n${p.indexes[i]}\t`).update(p.texts[i]!);
  return h.digest('hex');
}
