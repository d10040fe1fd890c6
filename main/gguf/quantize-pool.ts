// Encodes GGUF tensor slices on worker threads (quantising an 8B model on one core takes hours in JS), in
// order-preserving batches. From TypeScript sources there is no compiled worker: jobs then run inline.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runEncodeJob, type EncodeJob } from './gguf-encode.js';

export function defaultQuantizeWorker(): string | null {
  const file = fileURLToPath(new URL('./quantize-worker.js', import.meta.url));
  return existsSync(file) ? file : null;
}

export class QuantPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: (() => void)[] = [];
  private nextId = 1;

  constructor(size = Math.max(1, Math.min(availableParallelism(), 32)), workerFile: string | null = defaultQuantizeWorker()) {
    if (!workerFile || size <= 1) return;
    for (let i = 0; i < size; i++) {
      const w = new Worker(workerFile);
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  get parallel(): number {
    return Math.max(1, this.workers.length);
  }

  private async take(): Promise<Worker> {
    while (this.idle.length === 0) await new Promise<void>((r) => this.waiting.push(r));
    return this.idle.pop()!;
  }

  private give(w: Worker): void {
    this.idle.push(w);
    this.waiting.shift()?.();
  }

  async encode(job: EncodeJob): Promise<Uint8Array> {
    if (this.workers.length === 0) return runEncodeJob(job);
    const w = await this.take();
    const id = this.nextId++;
    try {
      return await new Promise<Uint8Array>((resolve, reject) => {
        const onMessage = (m: { id: number; out?: Uint8Array; error?: string }) => {
          if (m.id !== id) return;
          w.off('message', onMessage);
          w.off('error', onError);
          if (m.error) reject(new Error(m.error));
          else resolve(m.out!);
        };
        const onError = (e: Error) => {
          w.off('message', onMessage);
          reject(e);
        };
        w.on('message', onMessage);
        w.once('error', onError);
        w.postMessage({ id, job });
      });
    } finally {
      this.give(w);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
    this.idle.length = 0;
  }
}
