// Which process owns a live run, and whether that owner is still there. A run records its owner's pid and host
// and a heartbeat; a run whose owner is gone (pid dead on this host, or heartbeat stale) was interrupted.
// Also finds an orphaned engine child (its parent died) so it can be ended before the run resumes.
import fs from 'node:fs';
import os from 'node:os';

export const HOST = os.hostname();
/** A heartbeat older than this means the owner is hung or gone (it beats every few seconds). */
export const STALE_HEARTBEAT_MS = 90_000;

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Owner {
  readonly pid: number | null;
  readonly host: string | null;
  readonly heartbeatAt: string | null;
}

/** Why the owner counts as gone, or null when it may still be working. */
export function ownerGone(o: Owner, now = Date.now()): string | null {
  if (o.pid === null) return 'no process owns it';
  if (o.pid === process.pid && o.host === HOST) return null;
  const age = o.heartbeatAt ? now - Date.parse(o.heartbeatAt) : Infinity;
  if (o.host === HOST && !pidAlive(o.pid)) return `process ${o.pid} is gone`;
  if (age > STALE_HEARTBEAT_MS) return `process ${o.pid}${o.host && o.host !== HOST ? ` on ${o.host}` : ''} stopped reporting ${Math.round(age / 1000)} s ago`;
  return null;
}

/**
 * Ends an engine left running by a dead owner. Only when the pid is provably a lathe-engine (Linux /proc); elsewhere
 * the pid may have been reused, so it is left alone and the resume writes into a fresh checkpoint anyway.
 */
export function killOrphanEngine(pid: number | null): boolean {
  if (pid === null || !pidAlive(pid)) return false;
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmd.includes('lathe-engine')) return false;
  } catch {
    return false;
  }
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
