// The run lifecycle as data: which status may follow which, and what each action needs. Pure; the manager applies
// it and the store records it.
//   draft → queued → preparing → running ⇄ paused;  running/paused → stopping → interrupted (stopped before its
//   planned end, adapter kept) or completed (the end came first)
//   any live status → failed | interrupted;  interrupted/failed/stopped-early → queued (resume from checkpoint)
import { LatheError } from '../../preload/contract/errors.js';
import type { RunStatus } from '../../preload/contract/runs.js';

const NEXT: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  draft: ['queued'],
  queued: ['preparing', 'interrupted', 'failed'],
  preparing: ['running', 'stopping', 'failed', 'interrupted'],
  running: ['paused', 'stopping', 'completed', 'failed', 'interrupted'],
  paused: ['running', 'stopping', 'failed', 'interrupted'],
  stopping: ['completed', 'failed', 'interrupted'],
  completed: ['queued'],
  failed: ['queued'],
  interrupted: ['queued'],
};

export const LIVE: readonly RunStatus[] = ['preparing', 'running', 'paused', 'stopping'];
export const FINISHED: readonly RunStatus[] = ['completed', 'failed', 'interrupted'];

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return NEXT[from].includes(to);
}

export function isLive(s: RunStatus): boolean {
  return LIVE.includes(s);
}

/** Throws a `conflict` error naming what the person can do instead. */
export function assertTransition(id: number, from: RunStatus, to: RunStatus, action: string): void {
  if (canTransition(from, to)) return;
  const advice: Partial<Record<RunStatus, string>> = {
    queued: 'It has not started yet.',
    completed: 'It has finished.',
    failed: 'It failed; resume it to continue from its last checkpoint.',
    interrupted: 'It was interrupted; resume it to continue from its last checkpoint.',
    paused: 'It is paused; resume it first.',
    stopping: 'It is already stopping.',
  };
  throw new LatheError('conflict', `Cannot ${action} run ${id}: it is ${from}. ${advice[from] ?? ''}`.trim(), { id, status: from });
}
