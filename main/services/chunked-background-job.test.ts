// ChunkedBackgroundJob: jobs run one after another, a chunk at a time, until done or stopped; resume() picks up the rest.
import { describe, expect, it } from 'vitest';
import { ChunkedBackgroundJob, type ChunkOutcome } from './chunked-background-job.js';

class CountingJob extends ChunkedBackgroundJob<string> {
  readonly log: string[] = [];
  constructor(private readonly left: Map<number, number>) {
    super('stopped');
  }
  protected unfinished(): number[] {
    return [...this.left.keys()];
  }
  protected chunk(id: number): ChunkOutcome<string> {
    const n = this.left.get(id)! - 1;
    this.log.push(`${id}:${n}`);
    this.left.set(id, n);
    return n === 0 ? { done: `done ${id}` } : { pauseMs: 0 };
  }
}

describe('ChunkedBackgroundJob', () => {
  it('runs queued jobs one after another, a chunk at a time, and resolves each with its result', async () => {
    const job = new CountingJob(new Map([[1, 2], [2, 3]]));
    expect(await Promise.all([job.add(1), job.add(2)])).toEqual(['done 1', 'done 2']);
    expect(job.log).toEqual(['1:1', '1:0', '2:2', '2:1', '2:0']);
  });

  it('resume() queues every unfinished job and resolves to their ids', async () => {
    const job = new CountingJob(new Map([[5, 1], [7, 2]]));
    expect(await job.resume()).toEqual([5, 7]);
    expect(job.log).toEqual(['5:0', '7:1', '7:0']);
  });

  it('stop() ends the job after the current chunk with whenStopped', async () => {
    const job = new CountingJob(new Map([[3, 10]]));
    const result = job.add(3);
    job.stop();
    expect(await result).toBe('stopped');
    await job.idle();
    expect(job.log).toEqual([]);
  });
});
