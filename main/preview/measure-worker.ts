// Worker-thread entry for measure-job.ts: loads the tokenizer once, then measures the chunks it is sent and posts
// back their per-turn token counts as typed arrays (transferred, not copied). Holds no state beyond the tokenizer and the encoder.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { TemplateEncoder } from '../templates/record-encoder.js';
import { Tokenizer, type TokenizerJson } from '../tokenizer/tokenizer.js';
import type { ChunkSetup } from '../tokenizer/tokenize-chunk.js';
import { measureChunk, type ChunkPayload } from './measure-chunk.js';

const setup = workerData as ChunkSetup;
const tokenizer = new Tokenizer(JSON.parse(readFileSync(setup.tokenizerPath, 'utf8')) as TokenizerJson);
const encoder = new TemplateEncoder(tokenizer, setup.template, setup.special);

parentPort!.on('message', (msg: { id: number; payload: ChunkPayload }) => {
  try {
    const r = measureChunk(encoder, setup.options, msg.payload);
    parentPort!.postMessage({ id: msg.id, result: r }, [r.index.buffer, r.turnEnd.buffer, r.src.buffer, r.tgt.buffer] as ArrayBuffer[]);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    parentPort!.postMessage({ id: msg.id, error: { code: err.code ?? 'internal', message: err.message ?? String(e) } });
  }
});
