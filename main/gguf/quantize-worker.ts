// Worker-thread entry for GGUF encoding: runs runEncodeJob on each message and transfers the bytes back.
// Stateless; quantize-pool.ts owns the workers.
import { parentPort } from 'node:worker_threads';
import { runEncodeJob, type EncodeJob } from './gguf-encode.js';

parentPort?.on('message', (m: { id: number; job: EncodeJob }) => {
  try {
    const out = runEncodeJob(m.job);
    parentPort!.postMessage({ id: m.id, out }, [out.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: String((err as Error)?.stack ?? err) });
  }
});
