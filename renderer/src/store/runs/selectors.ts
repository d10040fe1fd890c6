// Pure reads of the runs slice.
import type { RunDto } from '../../../../preload/contract/runs.js';
import type { LatheStore } from '../index.js';

const ACTIVE = new Set(['queued', 'preparing', 'running', 'paused', 'stopping']);

export const runsSelectors = {
  list: (s: LatheStore) => s.runs,
  status: (s: LatheStore) => s.runsStatus,
  error: (s: LatheStore) => s.runsError,
  active: (s: LatheStore) => s.runs.find((r) => r.id === s.activeRunId),
  live: (s: LatheStore) => (s.activeRunId === undefined ? undefined : s.live[s.activeRunId]),
  isEmpty: (s: LatheStore) => s.runsStatus === 'ready' && s.runs.length === 0,
  /** A run still holding the engine: the Train page offers its controls instead of Start. */
  inProgress: (s: LatheStore) => s.runs.find((r) => ACTIVE.has(r.status)),
};

export function isRunActive(run: RunDto): boolean {
  return ACTIVE.has(run.status);
}

/** Wall time of a run in seconds: from start to finish, or to now while it runs. */
export function runDurationS(run: RunDto, now = Date.now()): number | undefined {
  if (!run.startedAt) return undefined;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  return Math.max(0, (end - Date.parse(run.startedAt)) / 1000);
}
