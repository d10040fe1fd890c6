// Deletes the rows of removed datasets after the fact: DatasetsStore.remove() only hides a dataset (one tiny
// transaction); this deletes its rows a chunk per transaction, yielding between chunks as long as the last one took,
// so neither this thread nor other writers wait long. Removals cut short by a kill are resumed at the next start.
// It does not decide what is removed (the service does) and never touches a dataset that is not 'removing'.
import type { DatasetsStore } from '../db/datasets-store.js';

export class RemovalQueue {
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly store: DatasetsStore) {}

  /** Queues the deletion of a removed dataset's rows (one dataset at a time); resolves once they are gone or stop() was called. */
  add(id: number): Promise<void> {
    const done = this.chain.then(() => this.deleteRows(id));
    this.chain = done.catch(() => undefined);
    return done;
  }

  /** Queues every removal a previous process left unfinished; resolves to their ids once done. */
  async resume(): Promise<number[]> {
    const ids = this.store.removing();
    await Promise.all(ids.map((id) => this.add(id)));
    return ids;
  }

  /** Resolves when nothing is queued any more. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Stops after the current chunk (the workspace is closing); what is left is resumed at the next start. */
  stop(): void {
    this.stopped = true;
  }

  private async deleteRows(id: number): Promise<void> {
    while (!this.stopped) {
      const t0 = performance.now();
      if (this.store.deleteRemovedChunk(id)) return;
      await new Promise<void>((resolve) => setTimeout(resolve, Math.min(performance.now() - t0, 250)));
    }
  }
}
