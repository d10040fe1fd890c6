// A queue of background jobs done a chunk at a time, one job after another: between chunks it yields as long as the
// last chunk took (at most MAX_PAUSE_MS), so neither this thread nor other writers wait long; stop() ends it after the
// current chunk and resume() picks up what a previous process left. It does not know what a chunk does (subclasses do).

/** The longest pause between two chunks, however long the last one took. */
const MAX_PAUSE_MS = 250;

/** What one chunk reports: the job is over with `done`, or there is more, after `pauseMs` (default: as long as the chunk took). */
export type ChunkOutcome<R> = { readonly done: R } | { readonly pauseMs?: number };

export abstract class ChunkedBackgroundJob<R> {
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;

  /** `whenStopped`: what a job cut short by stop() resolves to. */
  protected constructor(private readonly whenStopped: R) {}

  /** The ids of jobs a previous process left unfinished. */
  protected abstract unfinished(): number[];

  /** Does one chunk of job `id`. */
  protected abstract chunk(id: number): ChunkOutcome<R> | Promise<ChunkOutcome<R>>;

  /** Queues job `id` (one job at a time); resolves once it is over, or to `whenStopped` once stop() was called. */
  add(id: number): Promise<R> {
    const done = this.chain.then(() => this.run(id));
    this.chain = done.catch(() => undefined);
    return done;
  }

  /** Queues every job a previous process left unfinished; resolves to their ids once done. */
  async resume(): Promise<number[]> {
    const ids = this.unfinished();
    await Promise.all(ids.map((id) => this.add(id)));
    return ids;
  }

  /** Resolves when nothing is queued any more. */
  async idle(): Promise<void> {
    await this.chain;
  }

  /** Stops after the current chunk (the workspace is closing); what is left is resumed at the next start. */
  stop(): void {
    this.stopped = true;
  }

  private async run(id: number): Promise<R> {
    while (!this.stopped) {
      const t0 = performance.now();
      const outcome = await this.chunk(id);
      if ('done' in outcome) return outcome.done;
      const pause = outcome.pauseMs ?? Math.min(performance.now() - t0, MAX_PAUSE_MS);
      await new Promise<void>((resolve) => setTimeout(resolve, pause));
    }
    return this.whenStopped;
  }
}
