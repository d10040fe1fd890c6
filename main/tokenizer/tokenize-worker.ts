// Worker-thread entry for tokenize-dataset.ts: loads the tokenizer once, then encodes the record chunks it is
// sent and posts back typed arrays (transferred, not copied). Holds no state beyond the tokenizer.
import { parentPort, workerData } from 'node:worker_threads';
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import { TemplateEncoder } from '../templates/record-encoder.js';
import { Tokenizer, type TokenizerJson } from './tokenizer.js';
import { encodeChunk, type ChunkSetup } from './tokenize-chunk.js';
import { readFileSync } from 'node:fs';

const setup = workerData as ChunkSetup;
const tokenizer = new Tokenizer(JSON.parse(readFileSync(setup.tokenizerPath, 'utf8')) as TokenizerJson);
const encoder = new TemplateEncoder(tokenizer, setup.template, setup.special);

parentPort!.on('message', (msg: { chunk: number; records: NormalisedRecord[] }) => {
  try {
    const r = encodeChunk(tokenizer, setup, msg.records, encoder);
    parentPort!.postMessage({ chunk: msg.chunk, result: r }, [r.lengths.buffer as ArrayBuffer, r.ids.buffer as ArrayBuffer, r.mask.buffer as ArrayBuffer]);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    parentPort!.postMessage({ chunk: msg.chunk, error: { code: err.code ?? 'internal', message: err.message ?? String(e) } });
  }
});
