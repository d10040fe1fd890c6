// Worker-thread entry for measure-job.ts: measures the chunks it is sent, or reads a stored dataset's chunks itself
// (its own read-only connection, stored-chunks.ts) and hashes them, so main only coordinates. Posts back per-turn
// token counts as typed arrays (transferred, not copied). Loads the tokenizer at the first chunk it measures; holds
// no state beyond that, the connection and the one chunk read but not yet measured.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { TemplateEncoder } from '../templates/record-encoder.js';
import { Tokenizer, type TokenizerJson } from '../tokenizer/tokenizer.js';
import type { ChunkSetup } from '../tokenizer/tokenize-chunk.js';
import { chunkKey, measureChunk, type ChunkPayload } from './measure-chunk.js';
import { openStoredChunks, type StoredChunkSpec, type StoredChunks } from './stored-chunks.js';

/** What measure-job.ts starts a worker with. */
export interface MeasureWorkerData {
  readonly setup: ChunkSetup;
  readonly setupKey: string;
  readonly stored?: StoredChunkSpec | undefined;
}

/** Messages from main: measure a payload; read (and hash) a stored chunk; measure or drop the chunk last read. */
export type ToMeasureWorker =
  | { readonly type: 'measure'; readonly id: number; readonly payload: ChunkPayload }
  | { readonly type: 'read'; readonly id: number; readonly from: number; readonly to: number | undefined }
  | { readonly type: 'measureRead'; readonly id: number }
  | { readonly type: 'dropRead' };

const data = workerData as MeasureWorkerData;
const port = parentPort!;
let encoder: TemplateEncoder | undefined;
let stored: StoredChunks | undefined;
let read: ChunkPayload | undefined;

function encoderOf(): TemplateEncoder {
  if (!encoder) {
    const tokenizer = new Tokenizer(JSON.parse(readFileSync(data.setup.tokenizerPath, 'utf8')) as TokenizerJson);
    encoder = new TemplateEncoder(tokenizer, data.setup.template, data.setup.special);
  }
  return encoder;
}

function measure(id: number, payload: ChunkPayload): void {
  const r = measureChunk(encoderOf(), data.setup.options, payload);
  port.postMessage({ id, result: r }, [r.index.buffer, r.turnEnd.buffer, r.src.buffer, r.tgt.buffer] as ArrayBuffer[]);
}

port.on('message', (msg: ToMeasureWorker) => {
  if (msg.type === 'dropRead') {
    read = undefined;
    return;
  }
  try {
    if (msg.type === 'measure') measure(msg.id, msg.payload);
    else if (msg.type === 'read') {
      stored ??= openStoredChunks(data.stored!);
      const c = stored.read(msg.from, msg.to);
      read = c.payload;
      port.postMessage({ id: msg.id, read: { key: chunkKey(data.setupKey, c.payload), rows: c.rows } });
    } else {
      const payload = read!;
      read = undefined;
      measure(msg.id, payload);
    }
  } catch (e) {
    const err = e as { code?: string; message?: string };
    port.postMessage({ id: msg.id, error: { code: err.code ?? 'internal', message: err.message ?? String(e) } });
  }
});
