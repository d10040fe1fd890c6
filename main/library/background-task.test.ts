import { describe, expect, it, vi } from 'vitest';
import type { DownloadSnapshot, FileProgress } from '../hub/downloader.js';
import { SnapshotCoalescer } from './background-task.js';

const f = (path: string, bytesDone: number): FileProgress => ({ path, state: 'downloading', bytesDone, bytesTotal: 10, speedBps: 0, etaSeconds: null, attempt: 1, message: null });
const snap = (bytesDone: number, changed: FileProgress[]): DownloadSnapshot => ({ bytesDone, bytesTotal: 20, speedBps: 0, etaSeconds: null, filesDone: 0, fileCount: 2, changed });

describe('snapshot coalescer (worker → main messages)', () => {
  it('sends one message per interval with the latest totals and every file changed in between', () => {
    vi.useFakeTimers();
    try {
      const sent: DownloadSnapshot[] = [];
      const c = new SnapshotCoalescer(100, (s) => sent.push(s));
      c.push(snap(1, [f('a', 1)]));
      c.push(snap(2, [f('b', 1)]));
      c.push(snap(3, [f('a', 2)]));
      expect(sent).toHaveLength(0);
      vi.advanceTimersByTime(100);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.bytesDone).toBe(3);
      expect(sent[0]!.changed.map((x) => [x.path, x.bytesDone])).toEqual([['a', 2], ['b', 1]]);
      c.push(snap(4, [f('b', 5)]));
      c.flush();
      expect(sent.map((s) => s.bytesDone)).toEqual([3, 4]);
      c.flush();
      expect(sent).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
