// Rows of a long list fetched in pages on demand and kept in a bounded cache (least recently used pages dropped),
// for the virtualised table. Knows nothing of React: `onLoaded` tells the owner to redraw.
export class RowPageCache<R> {
  private readonly pages = new Map<number, readonly R[]>();
  private readonly inFlight = new Set<number>();
  private generation = 0;

  constructor(
    private readonly fetchPage: (offset: number, limit: number) => Promise<{ rows: readonly R[] }>,
    private readonly onLoaded: () => void,
    private readonly onError: (err: unknown) => void,
    readonly pageSize = 200,
    private readonly maxPages = 50,
  ) {}

  get(index: number): R | undefined {
    const page = this.pages.get(Math.floor(index / this.pageSize));
    return page?.[index % this.pageSize];
  }

  /** Makes sure rows [start, end) are loaded or loading. */
  ensure(start: number, end: number): void {
    if (end <= start) return;
    const first = Math.floor(start / this.pageSize);
    const last = Math.floor((end - 1) / this.pageSize);
    for (let p = first; p <= last; p++) {
      const page = this.pages.get(p);
      if (page) {
        // Refresh its place in the LRU order.
        this.pages.delete(p);
        this.pages.set(p, page);
        continue;
      }
      if (this.inFlight.has(p)) continue;
      this.inFlight.add(p);
      const gen = this.generation;
      this.fetchPage(p * this.pageSize, this.pageSize).then(
        (r) => {
          this.inFlight.delete(p);
          if (gen !== this.generation) return;
          this.pages.set(p, r.rows);
          while (this.pages.size > this.maxPages) this.pages.delete(this.pages.keys().next().value!);
          this.onLoaded();
        },
        (err) => {
          this.inFlight.delete(p);
          if (gen === this.generation) this.onError(err);
        },
      );
    }
  }

  /** Replaces one row in place (after an edit), if its page is held. */
  replace(index: number, row: R): void {
    const p = Math.floor(index / this.pageSize);
    const page = this.pages.get(p);
    if (!page) return;
    const copy = [...page];
    copy[index % this.pageSize] = row;
    this.pages.set(p, copy);
  }

  /** Forgets everything (the data changed); answers still in flight are ignored. */
  clear(): void {
    this.generation++;
    this.pages.clear();
    this.inFlight.clear();
  }
}
