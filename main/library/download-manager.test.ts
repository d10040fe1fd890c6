import { describe, expect, it } from 'vitest';
import type { DownloadDto } from '../../preload/contract/library.js';
import { LatheError } from '../../preload/contract/errors.js';
import { DownloadManager } from './download-manager.js';

const spec = { name: 'a/b', source: 'hf' as const, endpoint: 'http://127.0.0.1:1', revision: 'main', kind: 'pull' as const, modelId: null };

describe('download manager', () => {
  it('batches progress, sends only changed files, and reports the end once', async () => {
    const progress: DownloadDto[][] = [];
    const finished: DownloadDto[] = [];
    const m = new DownloadManager((d) => progress.push(d), (d) => finished.push(d), 10_000);
    const { done } = m.start(spec, async (ctl) => {
      ctl.setState('downloading');
      const f = (path: string, bytesDone: number) => ({ path, state: 'downloading' as const, bytesDone, bytesTotal: 100, speedBps: 0, etaSeconds: null, attempt: 1, message: null });
      for (let i = 1; i <= 50; i++) ctl.progress({ bytesDone: i * 2, bytesTotal: 200, speedBps: 1, etaSeconds: 1, filesDone: 0, fileCount: 2, changed: [f('x', i)] });
      ctl.progress({ bytesDone: 200, bytesTotal: 200, speedBps: 1, etaSeconds: 0, filesDone: 2, fileCount: 2, changed: [f('y', 100)] });
      ctl.setModelId(7);
      return 7;
    });
    const end = await done;
    expect(end).toMatchObject({ state: 'done', modelId: 7, bytesDone: 200, error: null });
    expect(end.files.map((f) => f.path)).toEqual(['x', 'y']);
    // One immediate flush at start, one final flush at the end: not 52 events.
    expect(progress.length).toBeLessThanOrEqual(3);
    expect(progress.at(-1)![0]!.files.map((f) => [f.path, f.bytesDone])).toEqual([['x', 50], ['y', 100]]);
    expect(finished).toHaveLength(1);
    expect(m.list()).toHaveLength(1);
  });

  it('cancel aborts the job and refuses a second download of the same model', async () => {
    const m = new DownloadManager(() => undefined, () => undefined, 10);
    const { download } = m.start(spec, (ctl) => new Promise((_, reject) => ctl.signal.addEventListener('abort', () => reject(new LatheError('cancelled', 'stop')))));
    expect(() => m.start(spec, async () => null)).toThrow(/already downloading/);
    const end = await m.cancel(download.id);
    expect(end.state).toBe('cancelled');
    expect(end.error?.code).toBe('cancelled');
    await expect(m.cancel('nope')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a failing job ends as failed with its error', async () => {
    const m = new DownloadManager(() => undefined, () => undefined, 10);
    const end = await m.start(spec, async () => {
      throw new LatheError('forbidden', 'gated');
    }).done;
    expect(end).toMatchObject({ state: 'failed', error: { code: 'forbidden', message: 'gated' } });
  });
});
