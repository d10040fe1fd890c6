// Batches a high-rate stream (training steps, import progress) into at most one flush per interval.
// Nothing is dropped: every item reaches the flush, grouped. The last batch flushes on `flush()`/`close()`.
export class Batcher<T> {
  private pending: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlush = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly onFlush: (items: T[]) => void,
  ) {}

  push(item: T): void {
    this.pending.push(item);
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - Date.now());
    if (wait === 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const items = this.pending;
    this.pending = [];
    this.lastFlush = Date.now();
    this.onFlush(items);
  }

  close(): void {
    this.flush();
  }
}
