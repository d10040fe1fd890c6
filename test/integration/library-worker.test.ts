// The download in a worker thread, as the app runs it: needs the compiled worker (dist/, `npm run build`; npm test
// builds first). Checks the files arrive, progress crosses the thread coalesced, and cancel stops the worker.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Runner from '../../main/library/background-runner.js';
import type { DownloadSnapshot } from '../../main/hub/downloader.js';
import { selectModelFiles } from '../../main/hub/file-selection.js';
import { HfClient } from '../../main/hub/hf-client.js';
import { ROOT, startFakeHub, tinyModelFiles, type FakeHub } from '../fixtures/hub/fake-hub-server.js';
import { tempHome } from '../helpers/temp-home.js';

const BUILT = path.join(ROOT, 'dist', 'main', 'library', 'background-runner.js');
const REPO = 'lathe/tiny-llama';
let hub: FakeHub;
let runner: typeof Runner;

beforeAll(async () => {
  hub = await startFakeHub({ [REPO]: { files: tinyModelFiles(), commit: '9'.repeat(40) } });
  if (fs.existsSync(BUILT)) runner = (await import(BUILT)) as typeof Runner;
});
afterAll(() => hub.close());

describe.skipIf(!fs.existsSync(BUILT))('download in a worker thread (built app)', () => {
  async function task(dir: string) {
    const listing = await new HfClient(hub.url, null).list(REPO, 'main');
    return { type: 'download' as const, source: 'hf' as const, endpoint: hub.url, token: null, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 20 }, repo: REPO, revision: 'main', files: selectModelFiles(listing.files), dir, concurrency: 4 };
  }

  it('downloads and verifies the model off the main thread, with coalesced progress', async () => {
    expect(runner.workerAvailable()).toBe(true);
    const h = tempHome('lathe-worker-');
    try {
      hub.faults = { chunkDelayMs: 3 };
      const snaps: DownloadSnapshot[] = [];
      const t0 = Date.now();
      const r = await runner.runDownload(await task(h.dir), { useWorker: true, signal: new AbortController().signal, onProgress: (s) => snaps.push(s) });
      const elapsedMs = Date.now() - t0;
      expect(r.files.map((f) => f.path)).toEqual(['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
      expect(r.files.find((f) => f.path === 'model.safetensors')!.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(snaps.length).toBeGreaterThan(0);
      // Coalesced: at most one message per 100 ms interval plus the last (on a quiet machine far fewer than the
      // 55 chunks of 64 KiB; the bound follows the download's duration, so a busy machine cannot break it).
      expect(snaps.length).toBeLessThanOrEqual(Math.floor(elapsedMs / 100) + 1);
      expect(snaps.at(-1)!.bytesDone).toBe(snaps.at(-1)!.bytesTotal);
    } finally {
      hub.faults = {};
      h.cleanup();
    }
  });

  it('cancel stops the worker and keeps the partial file', async () => {
    const h = tempHome('lathe-worker-');
    try {
      // Held after 2 MB (the connection open and silent): the cancel at 300 kB cannot lose a race with the end.
      hub.faults = { chunkDelayMs: 30, stallMidFile: { path: 'model.safetensors', afterBytes: 2_000_000 } };
      const ac = new AbortController();
      const p = runner.runDownload(await task(h.dir), { useWorker: true, signal: ac.signal, onProgress: (s) => s.bytesDone > 300_000 && ac.abort() });
      await expect(p).rejects.toMatchObject({ code: 'cancelled' });
      expect(fs.statSync(path.join(h.dir, 'model.safetensors.part')).size).toBeGreaterThan(0);
    } finally {
      hub.faults = {};
      h.cleanup();
    }
  });
});
