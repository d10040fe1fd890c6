// Measures a chunk of records for the dataset statistics: each record's length before and after cutoff_len and its
// trained tokens, nothing else kept (no ids, no text). The same code runs in a worker thread or in-process.
import { LatheError } from '../../preload/contract/errors.js';
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import { IGNORE_INDEX, type EncoderOptions, type TemplateEncoder } from '../templates/record-encoder.js';
import type { MeasuredChunk } from './preview-stats.js';

/** What the job hands a worker: the records as JSON text (parsed there, off the main thread) and their indexes. */
export interface ChunkPayload {
  readonly indexes: Int32Array;
  readonly texts: readonly string[];
}

export function measureChunk(encoder: TemplateEncoder, options: EncoderOptions, payload: ChunkPayload): MeasuredChunk {
  const n = payload.texts.length;
  const index = new Int32Array(n);
  const length = new Int32Array(n);
  const full = new Int32Array(n);
  const trainable = new Int32Array(n);
  let k = 0;
  let skipped = 0;
  for (let i = 0; i < n; i++) {
    const record = JSON.parse(payload.texts[i]!) as NormalisedRecord;
    let e;
    try {
      e = encoder.encode(record, options);
    } catch (err) {
      // A record the template cannot render (tool schemas, function calls) is skipped like an invalid one.
      if (err instanceof LatheError && err.code !== 'internal') e = { ok: false as const };
      else throw err;
    }
    if (!e.ok) {
      skipped++;
      continue;
    }
    let t = 0;
    for (const l of e.labels) if (l !== IGNORE_INDEX) t++;
    index[k] = payload.indexes[i]!;
    length[k] = e.inputIds.length;
    full[k] = e.fullLength;
    trainable[k] = t;
    k++;
  }
  return { index: index.slice(0, k), length: length.slice(0, k), full: full.slice(0, k), trainable: trainable.slice(0, k), skipped };
}
