// The wizard's window reads (datasets.preview past the cached sample) off the main thread: one worker
// (source-window-worker.ts) keeps each file's row offset index, so after the first jump a jump to row N reads a few
// thousand rows, not the file up to N. A new read of a file cancels the one still running for it (a superseded
// jump stops reading at once). Without a compiled worker (tests from sources) it reads in-process, the same way.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SerializedError } from '../../preload/contract/define.js';
import { LatheError } from '../../preload/contract/errors.js';
import { readSourceWindow, RowIndexCache, type WindowRequest, type WindowRoute } from './indexed-window.js';
import type { SourceItem } from './readers/source-types.js';
import type { ToWindowWorker } from './source-window-worker.js';

/** An idle worker is stopped after this long (its indexes go with it). */
const IDLE_MS = 5 * 60_000;

type Reply = { id: number; items?: SourceItem[]; route?: WindowRoute; error?: SerializedError };

function defaultWorkerFile(): string | undefined {
  const p = join(dirname(fileURLToPath(import.meta.url)), 'source-window-worker.js');
  return existsSync(p) ? p : undefined;
}

const superseded = () => new LatheError('cancelled', 'A later jump in the same file replaced this one.');

export class SourceWindowThread {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly pending = new Map<number, { resolve(r: { items: SourceItem[]; route: WindowRoute }): void; reject(e: unknown): void; abort?: AbortController }>();
  /** The read running for each file. */
  private readonly latest = new Map<string, number>();
  private readonly local = new RowIndexCache();
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly workerFile: string | undefined = defaultWorkerFile()) {}

  read(request: WindowRequest): Promise<{ items: SourceItem[]; route: WindowRoute }> {
    const prev = this.latest.get(request.file);
    if (prev !== undefined) this.cancel(prev);
    const id = ++this.seq;
    this.latest.set(request.file, id);
    const p = new Promise<{ items: SourceItem[]; route: WindowRoute }>((resolve, reject) => {
      if (!this.workerFile) {
        const abort = new AbortController();
        this.pending.set(id, { resolve, reject, abort });
        readSourceWindow(request, this.local, abort.signal).then((r) => this.settle({ id, ...r }), (e: unknown) => this.settle({ id, error: LatheError.from(e).toJSON() }));
        return;
      }
      this.pending.set(id, { resolve, reject });
      const w = this.thread();
      // Held while a read is pending (a CLI command waits for it), let go when idle.
      w.ref();
      w.postMessage({ type: 'read', id, request } satisfies ToWindowWorker);
    });
    return p.finally(() => {
      if (this.latest.get(request.file) === id) this.latest.delete(request.file);
    });
  }

  /** Stops a read: its caller gets 'cancelled' now, the worker stops reading at its next chunk. */
  private cancel(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.abort?.abort();
    this.worker?.postMessage({ type: 'cancel', id } satisfies ToWindowWorker);
    p.reject(superseded());
    this.armIdle();
  }

  private settle(m: Reply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.error) p.reject(LatheError.fromSerialized(m.error));
    else p.resolve({ items: m.items!, route: m.route! });
    this.armIdle();
  }

  private thread(): Worker {
    clearTimeout(this.idle);
    if (this.worker) return this.worker;
    const w = new Worker(this.workerFile!);
    w.on('message', (m: Reply) => this.settle(m));
    const fail = (e: unknown) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(LatheError.from(e));
      }
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new LatheError('internal', `The file reading worker stopped (exit code ${code}).`)));
    this.worker = w;
    return w;
  }

  private armIdle(): void {
    if (!this.worker || this.pending.size > 0) return;
    // An idle worker never keeps the process alive (the CLI exits when its command is done).
    this.worker.unref();
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.dispose(), IDLE_MS);
    this.idle.unref();
  }

  dispose(): void {
    clearTimeout(this.idle);
    const w = this.worker;
    this.worker = undefined;
    for (const id of [...this.pending.keys()]) this.cancel(id);
    void w?.terminate();
  }
}
