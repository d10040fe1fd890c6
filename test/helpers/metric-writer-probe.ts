// A training run's metric writer on its own connection, inserting a row every `everyMs` while a test's big write
// (an import, a removal) runs: how long each insert waited and which failed. It asserts nothing; the test does.
import { openWorkspaceDb } from '../../main/db/workspace-db.js';

export interface WriterProbeResult {
  /** Each insert's wait in ms, sorted ascending. */
  readonly waits: number[];
  /** The messages of failed inserts. */
  readonly errors: string[];
}

/** Starts inserting into run_metrics for `runId`; `beforeEach` runs before every insert (to sample something). */
export function startMetricWriter(dbFile: string, runId: number, everyMs: number, beforeEach?: () => void): { stop(): WriterProbeResult } {
  const other = openWorkspaceDb(dbFile);
  const insert = other.prepare("INSERT INTO run_metrics (run_id, kind, step, loss, at) VALUES (?, 'train', ?, 1.0, ?)");
  const waits: number[] = [];
  const errors: string[] = [];
  let step = 0;
  const timer = setInterval(() => {
    beforeEach?.();
    const t0 = performance.now();
    try {
      insert.run(runId, step++, new Date().toISOString());
    } catch (err) {
      errors.push((err as Error).message);
    }
    waits.push(performance.now() - t0);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      other.close();
      waits.sort((a, b) => a - b);
      return { waits, errors };
    },
  };
}
