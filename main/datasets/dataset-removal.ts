// Deletes the rows of removed datasets after the fact: DatasetsStore.remove() only hides a dataset (one tiny
// transaction); this deletes its rows a chunk per transaction (paced by ChunkedBackgroundJob), so neither this thread
// nor other writers wait long. Removals cut short by a kill are resumed at the next start.
// It does not decide what is removed (the service does) and never touches a dataset that is not 'removing'.
import type { DatasetsStore } from '../db/datasets-store.js';
import { ChunkedBackgroundJob, type ChunkOutcome } from '../services/chunked-background-job.js';

/** add(id) queues the deletion of a removed dataset's rows; it resolves once they are gone or stop() was called. */
export class RemovalQueue extends ChunkedBackgroundJob<void> {
  constructor(private readonly store: DatasetsStore) {
    super(undefined);
  }

  protected unfinished(): number[] {
    return this.store.removing();
  }

  protected chunk(id: number): ChunkOutcome<void> {
    return this.store.deleteRemovedChunk(id) ? { done: undefined } : {};
  }
}
