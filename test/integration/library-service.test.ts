// The library service end to end against the fake hub: pull with batched progress events, cancel and resume,
// corruption found by a check and repaired, a gated repo's 401 as a clear message, the token kept out of the DB
// and the events, folders added and removed, the curated list marked against a GPU.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { libraryContract, type DownloadDto, type LibraryModelDto } from '../../preload/contract/library.js';
import { EventHub } from '../../main/ipc/event-hub.js';
import { LibraryService } from '../../main/library/library-service.js';
import { TokenStore } from '../../main/hub/token-store.js';
import { openWorkspace, type Workspace } from '../../main/workspace/workspace.js';
import { startFakeHub, tinyModelFiles, TINY_MODEL_DIR, type FakeHub } from '../fixtures/hub/fake-hub-server.js';
import { tempHome } from '../helpers/temp-home.js';
import { gpuNote } from '../../main/library/gpu-detect.js';
import { BUILTIN_DEMO_MODEL_ID } from '../../main/library/builtin-models.js';
import { DEMO_MODEL } from '../../main/runs/run-defaults.js';
import type { LatheError } from '../../preload/contract/errors.js';

const REPO = 'lathe/tiny-llama';
const GATED = 'lathe/tiny-llama-gated';
const TOKEN = 'hf_secret_token_abcdef123456';
const WEIGHTS = 'model.safetensors';
const files = tinyModelFiles();

let hub: FakeHub;
beforeAll(async () => {
  hub = await startFakeHub({ [REPO]: { files, commit: 'c'.repeat(40) }, [GATED]: { files, commit: 'd'.repeat(40), token: TOKEN } });
});
afterAll(() => hub.close());

interface Rig {
  ws: Workspace;
  lib: LibraryService;
  events: { name: string; payload: any }[];
  cleanup(): void;
}
const rigs: Rig[] = [];
function rig(gpuBytes: number | null = null): Rig {
  const h = tempHome('lathe-lib-');
  const ws = openWorkspace(h.dir);
  const hubEvents = new EventHub();
  const events: Rig['events'] = [];
  hubEvents.subscribe((name, payload) => events.push({ name, payload }));
  const lib = new LibraryService(
    { workspace: ws, events: hubEvents, transport: 'web' },
    {
      tokens: new TokenStore([], {}),
      retry: { attempts: 4, baseDelayMs: 10, maxDelayMs: 50 },
      progressIntervalMs: 50,
      detectGpu: async () => (gpuBytes === null ? { gpu: null, note: gpuNote('gpu.noneListed', {}, 'none (test)') } : { gpu: { name: 'Test GPU', memoryBytes: gpuBytes }, note: gpuNote('gpu.detected', { name: 'Test GPU' }, 'test') }),
    },
  );
  const r = { ws, lib, events, cleanup: () => (ws.close(), h.cleanup()) };
  rigs.push(r);
  return r;
}
afterEach(async () => {
  hub.faults = {};
  hub.log.length = 0;
  for (const r of rigs.splice(0)) {
    await r.lib.downloadsInFlight.dispose();
    // Every event a test caused matches the contract's schema (the hub does not validate on the hot path).
    for (const e of r.events) {
      const schema = libraryContract.events[e.name.replace(/^library\./, '') as keyof typeof libraryContract.events];
      expect(schema, e.name).toBeDefined();
      expect(schema.safeParse(e.payload).success, `${e.name} ${JSON.stringify(schema.safeParse(e.payload).error?.issues)}`).toBe(true);
    }
    r.cleanup();
  }
});

async function pullAndWait(lib: LibraryService, name = REPO, source: 'hf' | 'modelscope' = 'hf'): Promise<DownloadDto> {
  const { done } = await lib.startPull({ name, source, endpoint: hub.url });
  return done;
}

/** The one model of the test's own (the built-in demo model is always listed too). */
function only(list: readonly LibraryModelDto[]): LibraryModelDto {
  const own = list.filter((m) => !m.builtIn);
  expect(own).toHaveLength(1);
  return own[0]!;
}

describe('library service', () => {
  it('pulls a model into the workspace, with batched progress, and lists it with its card', async () => {
    const { lib, events, ws } = rig();
    hub.faults = { chunkDelayMs: 2 };
    const t0 = Date.now();
    const d = await pullAndWait(lib);
    const elapsedMs = Date.now() - t0;
    expect(d.state).toBe('done');
    expect(d.bytesDone).toBe(d.bytesTotal);
    expect(d.fileCount).toBe(5);
    const m = only(await lib.list());
    expect(m).toMatchObject({ name: REPO, source: 'hf', endpoint: hub.url, revision: 'main', commit: 'c'.repeat(40), status: 'ready', managed: true, fileCount: 5, problems: [] });
    expect(m.path).toBe(path.join(ws.paths.models, 'lathe--tiny-llama'));
    expect(m.card?.architecture).toBe('LlamaForCausalLM');
    expect(m.card?.parameters).toBeGreaterThan(0);
    expect(m.diskBytes).toBeGreaterThanOrEqual(m.expectedBytes!);
    expect(fs.readFileSync(path.join(m.path, WEIGHTS)).equals(files.get(WEIGHTS)!)).toBe(true);

    const progress = events.filter((e) => e.name === 'library.progress');
    // Batched: at most one event per 50 ms interval plus the first and the last (on a quiet machine far fewer than
    // the 55 chunks of 64 KiB; the bound follows the download's duration, so a busy machine cannot break it), and
    // each carries the overall totals plus changed files.
    expect(progress.length).toBeLessThanOrEqual(Math.floor(elapsedMs / 50) + 2);
    expect(progress.some((e) => e.payload.downloads[0].files.some((f: any) => f.path === WEIGHTS && f.state === 'downloading'))).toBe(true);
    const finished = events.filter((e) => e.name === 'library.finished');
    expect(finished).toEqual([{ name: 'library.finished', payload: { downloadId: d.id, name: REPO, modelId: m.id, state: 'done', error: null } }]);
    expect(events.some((e) => e.name === 'library.changed' && e.payload.change === 'added')).toBe(true);
  });

  it('pulling a model that is already whole fetches no file again', async () => {
    const { lib } = rig();
    await pullAndWait(lib);
    hub.log.length = 0;
    const again = await pullAndWait(lib);
    expect(again.state).toBe('done');
    expect(again.files.every((f) => f.state === 'skipped')).toBe(true);
    expect(hub.log.filter((l) => l.url.includes('/resolve/') || l.url.startsWith('/cdn/'))).toEqual([]);
  });

  it('refuses a download larger than the free disk space before writing anything', async () => {
    const { lib } = rig();
    hub.faults = { listedSize: { path: WEIGHTS, size: 2 ** 60 } };
    const d = await pullAndWait(lib);
    expect(d.state).toBe('failed');
    expect(d.error).toMatchObject({ code: 'io_error' });
    expect(d.error!.message).toMatch(/Not enough disk space: the download needs .* GiB more/);
    expect(hub.log.filter((l) => l.url.includes('/resolve/'))).toEqual([]);
  });

  it('pulls from ModelScope too; the same model from the other hub takes over the folder and its source', async () => {
    const { lib } = rig();
    expect((await pullAndWait(lib, REPO, 'modelscope')).state).toBe('done');
    expect(only(await lib.list())).toMatchObject({ source: 'modelscope', revision: 'master', status: 'ready' });
    expect((await pullAndWait(lib, REPO, 'hf')).state).toBe('done');
    const m = only(await lib.list());
    expect(m).toMatchObject({ source: 'hf', revision: 'main', commit: 'c'.repeat(40), status: 'ready' });
    // A repair now goes to the HF API, not ModelScope's.
    fs.rmSync(path.join(m.path, 'config.json'));
    hub.log.length = 0;
    expect((await (await lib.startRepair(m.id)).done).state).toBe('done');
    expect(hub.log.some((l) => l.url.startsWith(`/api/models/${REPO}/revision/`))).toBe(true);
  });

  it('a cancelled download leaves the model incomplete; pulling again resumes with a Range request', async () => {
    const { lib, events } = rig();
    // The weights stop coming after 2 MB (the connection stays open and silent): the cancel below cannot lose a race
    // with the download's end, however slowly the machine reaches it.
    hub.faults = { chunkDelayMs: 20, stallMidFile: { path: WEIGHTS, afterBytes: 2_000_000 } };
    const { download, done } = await lib.startPull({ name: REPO, source: 'hf', endpoint: hub.url });
    await expect.poll(() => events.some((e) => e.name === 'library.progress' && e.payload.downloads[0].files.some((f: any) => f.path === WEIGHTS && f.bytesDone > 500_000)), { timeout: 10_000 }).toBe(true);
    const cancelled = await lib.cancel({ downloadId: download.id });
    expect(cancelled.state).toBe('cancelled');
    expect((await done).error?.code).toBe('cancelled');
    const m = only(await lib.list());
    expect(m.status).toBe('incomplete');

    hub.faults = {};
    hub.log.length = 0;
    expect((await pullAndWait(lib)).state).toBe('done');
    const weights = hub.log.filter((l) => l.url.includes(`/cdn/`) && l.url.endsWith(WEIGHTS));
    expect(weights).toHaveLength(1);
    expect(weights[0]!.range).toMatch(/^bytes=\d+-$/);
    expect(only(await lib.list()).status).toBe('ready');
  });

  it('a download cut off by quitting shows as incomplete in the next session, and pulling again finishes it', async () => {
    const r = rig();
    // Held after 2 MB (the connection open and silent), so it is still downloading when the session quits.
    hub.faults = { chunkDelayMs: 20, stallMidFile: { path: WEIGHTS, afterBytes: 2_000_000 } };
    const { done } = await r.lib.startPull({ name: REPO, source: 'hf', endpoint: hub.url });
    await expect.poll(() => r.events.some((e) => e.name === 'library.progress' && e.payload.downloads[0].bytesDone > 300_000), { timeout: 10_000 }).toBe(true);
    // The next session opens the same workspace while this one has not recorded an outcome yet.
    const next = new LibraryService({ workspace: r.ws, events: new EventHub(), transport: 'web' }, { tokens: new TokenStore([], {}), detectGpu: async () => ({ gpu: null, note: gpuNote('gpu.noneListed', {}, '') }), useWorker: false });
    expect(only(await next.list()).status).toBe('incomplete');
    await r.lib.downloadsInFlight.dispose();
    await done;
    hub.faults = {};
    const again = await (await next.startPull({ name: REPO, source: 'hf', endpoint: hub.url })).done;
    expect(again.state).toBe('done');
    expect(only(await next.list()).status).toBe('ready');
    await next.downloadsInFlight.dispose();
  });

  it('a check finds a truncated and a damaged file; repair re-fetches only those', async () => {
    const { lib } = rig();
    await pullAndWait(lib);
    const m = only(await lib.list());
    // Damage the weights (same size, one byte flipped) and cut tokenizer.json short.
    const w = path.join(m.path, WEIGHTS);
    const buf = fs.readFileSync(w);
    buf[1000]! ^= 0xff;
    fs.writeFileSync(w, buf);
    fs.truncateSync(path.join(m.path, 'tokenizer.json'), 100);

    const quick = await lib.check({ id: m.id });
    expect(quick.status).toBe('corrupted');
    expect(quick.problems.map((p) => [p.path, p.problem])).toEqual([['tokenizer.json', 'size']]);
    const full = await lib.check({ id: m.id, full: true });
    expect(full.problems.map((p) => [p.path, p.problem]).sort()).toEqual([['model.safetensors', 'checksum'], ['tokenizer.json', 'size']]);
    expect(full.problems.map((p) => p.code).sort()).toEqual(['library.checksum', 'library.sizeVsHub']);

    hub.log.length = 0;
    const { done } = await lib.startRepair(m.id);
    expect((await done).state).toBe('done');
    const fetched = hub.log.filter((l) => l.url.startsWith(`/${REPO}/resolve/`)).map((l) => l.url.split('/').pop());
    expect(fetched.sort()).toEqual(['model.safetensors', 'tokenizer.json']);
    // Repair asks for the commit the model was downloaded at, not whatever main is now.
    expect(hub.log.some((l) => l.url.includes(`/resolve/${'c'.repeat(40)}/`))).toBe(true);
    const after = await lib.check({ id: m.id, full: true });
    expect(after.status).toBe('ready');
    expect(fs.readFileSync(w).equals(files.get(WEIGHTS)!)).toBe(true);
  });

  it('a missing file makes the model incomplete; repair downloads it', async () => {
    const { lib } = rig();
    await pullAndWait(lib);
    const m = only(await lib.list());
    fs.rmSync(path.join(m.path, 'config.json'));
    expect((await lib.check({ id: m.id })).status).toBe('incomplete');
    expect((await (await lib.startRepair(m.id)).done).state).toBe('done');
    expect((await lib.get(m.id)).status).toBe('ready');
  });

  it('a gated model fails with a clear message; with a token it downloads, and the token is nowhere on disk or in events', async () => {
    const { lib, events, ws } = rig();
    const denied = await pullAndWait(lib, GATED);
    expect(denied.state).toBe('failed');
    expect(denied.error).toMatchObject({ code: 'forbidden' });
    expect(denied.error!.message).toMatch(/lathe\/tiny-llama-gated is gated \(HTTP 401\)/);
    expect(denied.error!.message).toMatch(/access token/);

    const status = await lib.setToken({ source: 'hf', token: TOKEN });
    expect(status).toMatchObject({ source: 'hf', present: true, storage: 'memory' });
    expect(status.note).toMatch(/memory for this session only/);
    expect((await pullAndWait(lib, GATED)).state).toBe('done');
    expect(hub.log.filter((l) => l.url.startsWith('/api/models/')).map((l) => l.authorized)).toEqual([false, true]);

    ws.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const f of fs.readdirSync(ws.paths.home, { recursive: true }) as string[]) {
      const full = path.join(ws.paths.home, f);
      if (fs.statSync(full).isFile()) expect(fs.readFileSync(full).includes(TOKEN), `token found in ${f}`).toBe(false);
    }
    expect(JSON.stringify(events)).not.toContain(TOKEN);
    expect((await lib.clearToken({ source: 'hf' })).present).toBe(false);
  });

  it('adds an outside folder (kept on remove) and removes a downloaded model with its files', async () => {
    const { lib, ws } = rig();
    const outside = path.join(ws.paths.tmp, 'my-model');
    fs.cpSync(TINY_MODEL_DIR, outside, { recursive: true });
    const added = await lib.addFolder({ path: outside });
    expect(added).toMatchObject({ source: 'local', managed: false, status: 'ready', path: outside });
    expect(added.card?.architecture).toBe('LlamaForCausalLM');
    await expect(lib.addFolder({ path: outside })).rejects.toMatchObject({ code: 'already_exists' });
    await expect(lib.addFolder({ path: ws.paths.tmp })).rejects.toMatchObject({ code: 'bad_input' });
    await expect(lib.repair({ id: added.id })).rejects.toMatchObject({ code: 'unsupported' });

    await pullAndWait(lib);
    const pulled = (await lib.list()).find((m) => m.source === 'hf')!;
    expect(await lib.remove({ id: added.id })).toEqual({ removed: true, deletedFiles: false });
    expect(fs.existsSync(outside)).toBe(true);
    expect(await lib.remove({ id: pulled.id })).toEqual({ removed: true, deletedFiles: true });
    expect(fs.existsSync(pulled.path)).toBe(false);
    expect((await lib.list()).filter((m) => !m.builtIn)).toEqual([]);
  });

  it('lists the bundled demo model as a built-in entry that can be checked and carded but not removed', async () => {
    const { lib } = rig();
    const [demo, ...rest] = await lib.list();
    expect(rest).toEqual([]);
    expect(demo).toMatchObject({ id: BUILTIN_DEMO_MODEL_ID, name: 'lathe-tiny-llama', builtIn: true, managed: false, status: 'ready', path: DEMO_MODEL });
    expect(demo!.card?.architecture).toBe('LlamaForCausalLM');
    expect((await lib.card({ id: demo!.id })).architecture).toBe('LlamaForCausalLM');
    expect(await lib.check({ id: demo!.id })).toMatchObject({ builtIn: true, status: 'ready' });
    const err = await lib.remove({ id: demo!.id }).catch((e: unknown) => e as LatheError);
    expect(err).toMatchObject({ code: 'forbidden', text: { code: 'err.library.builtIn', params: { name: 'lathe-tiny-llama' } } });
    expect(fs.existsSync(path.join(DEMO_MODEL, 'config.json'))).toBe(true);
    await expect(lib.addFolder({ path: DEMO_MODEL })).rejects.toMatchObject({ code: 'already_exists' });
    await expect(lib.repair({ id: demo!.id })).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('finds model folders copied into the workspace models folder', async () => {
    const { lib, ws } = rig();
    fs.cpSync(TINY_MODEL_DIR, path.join(ws.paths.models, 'copied-in'), { recursive: true });
    fs.mkdirSync(path.join(ws.paths.models, 'not-a-model'));
    // Two windows listing at once must not both register the folder.
    const [a, b] = await Promise.all([lib.list(), lib.list()]);
    expect([a, b].map((l) => l.filter((m) => !m.builtIn).length)).toEqual([1, 1]);
    const m = only(await lib.list());
    expect(m).toMatchObject({ name: 'copied-in', source: 'local', managed: true, status: 'ready' });
  });

  it('a truncated safetensors file in an added folder is caught by its header', async () => {
    const { lib, ws } = rig();
    const outside = path.join(ws.paths.tmp, 'cut');
    fs.cpSync(TINY_MODEL_DIR, outside, { recursive: true });
    fs.truncateSync(path.join(outside, WEIGHTS), 1_000_000);
    const added = await lib.addFolder({ path: outside });
    expect(added.status).toBe('corrupted');
    expect(added.problems[0]).toMatchObject({ path: WEIGHTS, problem: 'size' });
    expect(added.problems[0]!.detail).toMatch(/cut short/);
    // Stored with the row and read back with its code, for the renderer's translation.
    expect(added.problems[0]).toMatchObject({ code: 'library.cutShort', params: { size: expect.any(Number), expected: expect.any(Number) } });
  });

  it('refuses bad names and endpoints, and a second pull of a model already downloading', async () => {
    const { lib } = rig();
    await expect(lib.pull({ name: '../etc', source: 'hf' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(lib.pull({ name: 'a/b', source: 'hf', endpoint: 'file:///etc' })).rejects.toMatchObject({ code: 'invalid_request' });
    // Held after 2 MB, so the first is still downloading when the second is asked for.
    hub.faults = { chunkDelayMs: 20, stallMidFile: { path: WEIGHTS, afterBytes: 2_000_000 } };
    const first = await lib.startPull({ name: REPO, source: 'hf', endpoint: hub.url });
    await expect(lib.pull({ name: REPO, source: 'hf', endpoint: hub.url })).rejects.toMatchObject({ code: 'conflict' });
    await lib.cancel({ downloadId: first.download.id });
  });

  it('the curated list gives sizes and VRAM and marks what fits the GPU', async () => {
    const none = await rig(null).lib.curated({});
    expect(none.gpu).toBeNull();
    expect(none.models.every((m) => m.fits.lora === null && m.fits.qlora === null)).toBe(true);
    const keys = none.models.map((m) => m.key);
    expect(keys).toEqual(expect.arrayContaining(['qwen2.5-0.5b-instruct', 'qwen2.5-14b-instruct', 'qwen3-8b', 'llama-3.2-1b-instruct', 'llama-3.1-8b-instruct', 'mistral-7b-instruct-v0.3']));
    const q7 = none.models.find((m) => m.key === 'qwen2.5-7b-instruct')!;
    // Qwen2.5-7B has 7.62 B parameters (its model card); the shape formula omits biases.
    expect(q7.parameters / 1e9).toBeGreaterThan(7.5);
    expect(q7.parameters / 1e9).toBeLessThan(7.7);
    expect(q7.approxDownloadBytes).toBe(q7.parameters * 2);
    // The engine's plan: 7B at seq 1024 with checkpointing ≈ 17.8 GiB; QLoRA ≈ 8.9 GiB (the CUDA engine keeps the
    // decoder's projections as NF4, the embedding and lm_head bf16 as bitsandbytes does, native/docs/cuda.md).
    expect(q7.vramLoraBytes! / 1024 ** 3).toBeGreaterThan(16);
    expect(q7.vramQloraBytes! / 1024 ** 3).toBeLessThan(12);
    console.log(`qwen2.5-7b plan: LoRA ${(q7.vramLoraBytes! / 1024 ** 3).toFixed(2)} GiB, QLoRA ${(q7.vramQloraBytes! / 1024 ** 3).toFixed(2)} GiB`);

    const gpu12 = await rig(12 * 1024 ** 3).lib.curated({});
    const g7 = gpu12.models.find((m) => m.key === 'qwen2.5-7b-instruct')!;
    expect(g7.fits).toEqual({ lora: false, qlora: true }); // QLoRA is what makes a 7B fit a 12 GB card
    const gpu24 = await rig(24 * 1024 ** 3).lib.curated({});
    expect(gpu24.models.find((m) => m.key === 'qwen2.5-7b-instruct')!.fits).toEqual({ lora: true, qlora: true });
    expect(gpu12.models.find((m) => m.key === 'qwen2.5-0.5b-instruct')!.fits).toEqual({ lora: true, qlora: true });
    expect(gpu12.models.find((m) => m.key === 'qwen2.5-14b-instruct')!.fits.lora).toBe(false);
  });
});
