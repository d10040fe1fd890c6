// The hub clients and the downloader against the fake hub (test/fixtures/hub): whole downloads from both hubs,
// resume after interruption, corruption detected and re-fetched, gated repos, dropped connections and 5xx retried.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LatheError } from '../../preload/contract/errors.js';
import { downloadFiles, type DownloadSnapshot } from '../../main/hub/downloader.js';
import { selectModelFiles } from '../../main/hub/file-selection.js';
import { HfClient } from '../../main/hub/hf-client.js';
import { ModelScopeClient } from '../../main/hub/modelscope-client.js';
import { hubGetJson, type RetryPolicy } from '../../main/hub/hub-http.js';
import { startFakeHub, tinyModelFiles, type FakeHub } from '../fixtures/hub/fake-hub-server.js';
import { tempHome } from '../helpers/temp-home.js';

const FAST: RetryPolicy = { attempts: 4, baseDelayMs: 20, maxDelayMs: 100 };
const REPO = 'lathe/tiny-llama';
const GATED = 'lathe/tiny-llama-gated';
const TOKEN = 'hf_testtoken_1234567890';
const files = tinyModelFiles();
const WEIGHTS = 'model.safetensors';

let hub: FakeHub;
const homes: { dir: string; cleanup(): void }[] = [];
const dir = () => {
  const h = tempHome('lathe-dl-');
  homes.push(h);
  return h.dir;
};

beforeAll(async () => {
  hub = await startFakeHub({ [REPO]: { files, commit: 'a'.repeat(40) }, [GATED]: { files, commit: 'b'.repeat(40), token: TOKEN } });
});
afterAll(() => hub.close());
afterEach(() => {
  hub.faults = {};
  hub.log.length = 0;
  homes.splice(0).forEach((h) => h.cleanup());
});

function expectWholeModel(d: string): void {
  const names = fs.readdirSync(d).sort();
  expect(names).toEqual(['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
  for (const n of names) expect(fs.readFileSync(path.join(d, n)).equals(files.get(n)!)).toBe(true);
}

async function pull(client: HfClient | ModelScopeClient, repo: string, d: string, extra: Parameters<typeof downloadFiles>[5] = {}) {
  const listing = await client.list(repo, client.source === 'hf' ? 'main' : 'master');
  return downloadFiles(client, repo, listing.revision, selectModelFiles(listing.files), d, { retry: FAST, ...extra });
}

describe('hub clients', () => {
  it('HF listing gives sizes, LFS SHA-256 and git blob ids; only the files a model needs are selected', async () => {
    const listing = await new HfClient(hub.url, null, FAST).list(REPO, 'main');
    expect(listing.commit).toBe('a'.repeat(40));
    const weights = listing.files.find((f) => f.path === WEIGHTS)!;
    expect(weights.size).toBe(files.get(WEIGHTS)!.length);
    expect(weights.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(listing.files.find((f) => f.path === 'config.json')!.gitSha1).toMatch(/^[0-9a-f]{40}$/);
    expect(selectModelFiles(listing.files).map((f) => f.path)).toEqual(['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    expect(hub.log[0]!.url).toBe(`/api/models/${REPO}/revision/main?blobs=true`);
  });

  it('a listing that hangs is given up after the timeout and asked again', async () => {
    // The first answer is held far beyond the client's 1 s timeout (which leaves room for a busy machine to answer
    // the second request): an answer before the hold ends can only have come from another request.
    const HOLD_MS = 30_000;
    hub.faults = { slowListingOnceMs: HOLD_MS };
    const t0 = Date.now();
    const doc = await hubGetJson<{ sha: string }>(`${hub.url}/api/models/${REPO}/revision/main?blobs=true`, {}, 'the listing', REPO, FAST, undefined, 1000);
    expect(doc.sha).toBe('a'.repeat(40));
    expect(Date.now() - t0).toBeLessThan(HOLD_MS);
    // Exactly one listing was answered: the held request was given up, not waited for.
    expect(hub.log.filter((l) => l.url.startsWith(`/api/models/${REPO}/revision/`))).toHaveLength(1);
  });

  it('ModelScope listing skips folders and keeps SHA-256', async () => {
    const listing = await new ModelScopeClient(hub.url, null, FAST).list(REPO, 'master');
    expect(listing.files.some((f) => f.path === 'original')).toBe(false);
    expect(listing.files.every((f) => f.sha256 !== null)).toBe(true);
    expect(hub.log[0]!.url).toBe(`/api/v1/models/${REPO}/repo/files?Revision=master&Recursive=true`);
  });
});

describe('downloader', () => {
  it('downloads a whole model from HF (through the CDN redirect), with per-file and overall progress', async () => {
    const d = dir();
    const snaps: DownloadSnapshot[] = [];
    const r = await pull(new HfClient(hub.url, null, FAST), REPO, d, { onProgress: (s) => snaps.push(s) });
    expectWholeModel(d);
    expect(r.retries).toBe(0);
    const last = snaps[snaps.length - 1]!;
    expect(last.filesDone).toBe(5);
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect(snaps.some((s) => s.changed.some((f) => f.path === WEIGHTS && f.state === 'downloading' && f.bytesDone > 0 && f.bytesDone < f.bytesTotal!))).toBe(true);
    expect(hub.log.some((l) => l.url.startsWith('/cdn/') && l.status === 200)).toBe(true);
  });

  it('downloads a whole model from ModelScope', async () => {
    const d = dir();
    await pull(new ModelScopeClient(hub.url, null, FAST), REPO, d);
    expectWholeModel(d);
    expect(hub.log.some((l) => l.url.includes('/repo?Revision=master&FilePath=model.safetensors'))).toBe(true);
  });

  it('resumes an interrupted download with a Range request instead of starting over', async () => {
    const d = dir();
    hub.faults = { chunkDelayMs: 15 };
    const controller = new AbortController();
    const client = new HfClient(hub.url, null, FAST);
    const first = pull(client, REPO, d, {
      signal: controller.signal,
      onProgress: (s) => {
        if (s.changed.some((f) => f.path === WEIGHTS && f.bytesDone > 1_000_000)) controller.abort();
      },
    });
    await expect(first).rejects.toMatchObject({ code: 'cancelled' });
    const partBytes = fs.statSync(path.join(d, `${WEIGHTS}.part`)).size;
    expect(partBytes).toBeGreaterThan(1_000_000);
    expect(fs.existsSync(path.join(d, WEIGHTS))).toBe(false);

    hub.faults = {};
    hub.log.length = 0;
    const r = await pull(client, REPO, d, { keepExisting: true });
    expectWholeModel(d);
    const cdn = hub.log.filter((l) => l.url.startsWith('/cdn/'));
    expect(cdn).toHaveLength(1);
    expect(cdn[0]!.range).toBe(`bytes=${partBytes}-`);
    expect(cdn[0]!.status).toBe(206);
    expect(r.files.filter((f) => f.skipped).length).toBeGreaterThan(0);
  });

  it('retries a dropped connection with backoff and resumes from the bytes already on disk', async () => {
    const d = dir();
    hub.faults = { dropMidFile: { path: WEIGHTS, afterBytes: 700_000 } };
    const retrying: unknown[] = [];
    const r = await pull(new HfClient(hub.url, null, FAST), REPO, d, { onProgress: (s) => s.changed.forEach((f) => f.state === 'retrying' && retrying.push(f)) });
    expectWholeModel(d);
    expect(r.retries).toBe(1);
    // The retry note carries its code and params for the renderer's translation.
    expect(retrying[0]).toMatchObject({ message: expect.stringMatching(/^Attempt 1 failed/), messageCode: 'download.retrying', messageParams: { attempt: 1, reason: expect.any(String), seconds: expect.any(String) } });
    const cdn = hub.log.filter((l) => l.url.startsWith('/cdn/'));
    expect(cdn.map((l) => l.status)).toEqual([200, 206]);
    expect(Number(/bytes=(\d+)-/.exec(cdn[1]!.range!)![1])).toBeGreaterThan(0);
  });

  it('drops a connection that goes quiet and resumes on a new one', async () => {
    const d = dir();
    hub.faults = { stallMidFile: { path: WEIGHTS, afterBytes: 500_000 } };
    const messages: string[] = [];
    // 1.5 s of silence: well beyond a pause of a busy machine between two chunks that keep coming (which would count
    // as a second stall), and still short for a test.
    const r = await pull(new HfClient(hub.url, null, FAST), REPO, d, { stallTimeoutMs: 1500, onProgress: (s) => s.changed.forEach((f) => f.message && messages.push(f.message)) });
    expectWholeModel(d);
    expect(r.retries).toBe(1);
    expect(messages.some((m) => /no data for 1.5 s; reconnecting/.test(m))).toBe(true);
    const cdn = hub.log.filter((l) => l.url.startsWith('/cdn/'));
    expect(cdn.map((l) => l.status)).toEqual([200, 206]);
  });

  it('detects a corrupted file by its SHA-256, deletes it and fetches it again', async () => {
    const d = dir();
    hub.faults = { corrupt: { path: WEIGHTS } };
    const messages: string[] = [];
    const r = await pull(new ModelScopeClient(hub.url, null, FAST), REPO, d, { onProgress: (s) => s.changed.forEach((f) => f.message && messages.push(f.message)) });
    expectWholeModel(d);
    expect(r.retries).toBe(1);
    expect(messages.some((m) => /SHA-256/.test(m))).toBe(true);
  });

  it('checks small non-LFS files against the git blob id too', async () => {
    const d = dir();
    hub.faults = { corrupt: { path: 'config.json' } };
    const r = await pull(new HfClient(hub.url, null, FAST), REPO, d);
    expectWholeModel(d);
    expect(r.retries).toBe(1);
  });

  it('without sizes or checksums in the listing, verifies LFS files against the X-Linked-Etag SHA-256', async () => {
    const d = dir();
    hub.faults = { noBlobs: true, corrupt: { path: WEIGHTS } };
    const listing = await new HfClient(hub.url, null, FAST).list(REPO, 'main');
    expect(listing.files.every((f) => f.size === null && f.sha256 === null)).toBe(true);
    const messages: string[] = [];
    const r = await downloadFiles(new HfClient(hub.url, null, FAST), REPO, 'main', selectModelFiles(listing.files), d, { retry: FAST, onProgress: (s) => s.changed.forEach((f) => f.message && messages.push(f.message)) });
    expectWholeModel(d);
    expect(r.retries).toBe(1);
    expect(messages.some((m) => /SHA-256/.test(m))).toBe(true);
  });

  it('starts over when a server ignores the Range header', async () => {
    const d = dir();
    const partial = files.get(WEIGHTS)!.subarray(0, 100_000);
    fs.writeFileSync(path.join(d, `${WEIGHTS}.part`), partial);
    hub.faults = { ignoreRange: true };
    await pull(new HfClient(hub.url, null, FAST), REPO, d);
    expectWholeModel(d);
  });

  it('a stale part whose bytes are wrong is caught by the checksum and replaced', async () => {
    const d = dir();
    fs.writeFileSync(path.join(d, `${WEIGHTS}.part`), Buffer.alloc(200_000, 1));
    const r = await pull(new HfClient(hub.url, null, FAST), REPO, d);
    expectWholeModel(d);
    expect(r.retries).toBe(1);
  });

  it('a gated repo without a token fails at once with a clear message, no retries; the token opens it', async () => {
    const d = dir();
    const err = await pull(new HfClient(hub.url, null, FAST), GATED, d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LatheError);
    expect((err as LatheError).code).toBe('forbidden');
    expect((err as LatheError).message).toMatch(/lathe\/tiny-llama-gated is gated \(HTTP 401\).*access token/);
    expect(hub.log.filter((l) => l.status === 401)).toHaveLength(1);
    const wrong = await pull(new HfClient(hub.url, 'hf_wrong', FAST), GATED, d).catch((e: unknown) => e);
    expect((wrong as LatheError).message).toMatch(/has not been granted access yet \(HTTP 403\)/);
    expect((wrong as LatheError).message).not.toContain('hf_wrong');
    const invalid = await pull(new HfClient(hub.url, 'not-a-real-token', FAST), GATED, d).catch((e: unknown) => e);
    expect((invalid as LatheError).message).toMatch(/access token is not valid/);
    await pull(new HfClient(hub.url, TOKEN, FAST), GATED, d);
    expectWholeModel(d);
  });

  it('a name that does not exist: HF answers 401 RepoNotFound, shown as not found; ModelScope 401/404 stay generic', async () => {
    const err = await new HfClient(hub.url, null, FAST).list('lathe/no-such-model', 'main').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'not_found' });
    expect((err as LatheError).message).toMatch(/There is no model lathe\/no-such-model on this hub, or it is private or gated/);
    const ms = await new ModelScopeClient(hub.url, null, FAST).list(GATED, 'master').catch((e: unknown) => e);
    expect(ms).toMatchObject({ code: 'forbidden' });
    expect((ms as LatheError).message).toMatch(/gated or private \(HTTP 401\)/);
  });

  it('retries 5xx answers with backoff but not a 404', async () => {
    const d = dir();
    hub.faults = { failStatus: { status: 503, times: 2 } };
    const r = await pull(new HfClient(hub.url, null, FAST), REPO, d, { concurrency: 1 });
    expectWholeModel(d);
    expect(r.retries).toBe(2);
    hub.log.length = 0;
    const missing = await new HfClient(hub.url, null, FAST).list('lathe/nope', 'main').catch((e: unknown) => e);
    expect((missing as LatheError).code).toBe('not_found');
    expect(hub.log).toHaveLength(1);
  });

  it('gives up after the policy is spent and keeps the partial bytes for a later resume', async () => {
    const d = dir();
    hub.faults = { dropMidFile: { path: WEIGHTS, afterBytes: 300_000, times: 10 } };
    const err = await pull(new HfClient(hub.url, null, FAST), REPO, d).catch((e: unknown) => e);
    expect((err as LatheError).code).toBe('io_error');
    expect((err as LatheError).message).toMatch(/Start it again to resume/);
    // Each attempt added bytes to the part file.
    expect(fs.statSync(path.join(d, `${WEIGHTS}.part`)).size).toBeGreaterThan(300_000);
  });
});
