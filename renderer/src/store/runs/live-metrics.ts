// Merging metric points from history and from live events without duplicates: events may arrive while the history
// request is in flight, so a (kind, step) already held is not added again. Pure.
import type { MetricPoint } from '../../../../preload/contract/runs.js';

export function mergeMetrics(existing: readonly MetricPoint[], incoming: readonly MetricPoint[]): readonly MetricPoint[] {
  if (incoming.length === 0) return existing;
  const last = { train: -1, eval: -1 };
  for (const p of existing) last[p.kind] = Math.max(last[p.kind], p.step);
  const out = [...existing];
  for (const p of incoming) {
    if (p.step <= last[p.kind]) continue;
    last[p.kind] = p.step;
    out.push(p);
  }
  return out;
}

/**
 * Appends log lines, keeping the newest `keep`. A batch that starts with lines the tail already holds (events that
 * crossed the log file read when a run is opened) is appended only from where it goes beyond the tail.
 */
export function appendLog(existing: readonly string[], lines: readonly string[], keep: number): readonly string[] {
  let overlap = 0;
  for (let k = Math.min(existing.length, lines.length); k > 0; k--) {
    let same = true;
    for (let i = 0; i < k && same; i++) same = existing[existing.length - k + i] === lines[i];
    if (same) {
      overlap = k;
      break;
    }
  }
  const all = existing.concat(lines.slice(overlap));
  return all.length > keep ? all.slice(all.length - keep) : all;
}
