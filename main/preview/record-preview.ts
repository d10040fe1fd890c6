// Turns an encoded record into the preview DTO: segments with their trained flag, ids, labels and each token's
// text (the token boundaries). Display only: nothing here changes what is trained.
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import type { PreviewRecordDto } from '../../preload/contract/preview.js';
import { IGNORE_INDEX, type EncoderOptions, type TemplateEncoder } from '../templates/record-encoder.js';

export function previewRecord(encoder: TemplateEncoder, record: NormalisedRecord, index: number, options: EncoderOptions): PreviewRecordDto {
  let e;
  try {
    e = encoder.encode(record, options);
  } catch (err) {
    e = { ok: false as const, reason: (err as Error).message };
  }
  if (!e.ok) {
    return { index, ok: false, reason: e.reason, text: '', segments: [], input_ids: [], labels: [], tokens: [], tokenCount: 0, trainableCount: 0, truncated: false, fullLength: 0 };
  }
  const tok = encoder.tokenizer;
  return {
    index,
    ok: true,
    text: e.segments.map((s) => s.text).join(''),
    segments: e.segments,
    input_ids: e.inputIds,
    labels: e.labels,
    tokens: tok.tokenPieces(e.inputIds),
    tokenCount: e.inputIds.length,
    trainableCount: e.labels.filter((l) => l !== IGNORE_INDEX).length,
    truncated: e.truncated,
    fullLength: e.fullLength,
  };
}
