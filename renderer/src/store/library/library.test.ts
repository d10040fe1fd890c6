import { describe, expect, it } from 'vitest';
import type { CuratedListDto, DownloadDto, DownloadFinishedEvent, FileProgressDto, LibraryModelDto, TokenStatusDto } from '../../../../preload/contract/index.js';
import { LatheError } from '../../bridge/lathe-error.js';
import type { LibraryService } from '../../services/library.js';
import { emitter, testStore } from '../testing/fake-services.js';
import { mergeDownload } from './actions.js';
import { librarySelectors, matchesSearch } from './selectors.js';

const file = (path: string, bytesDone: number, state: FileProgressDto['state'] = 'downloading'): FileProgressDto => ({ path, state, bytesDone, bytesTotal: 100, speedBps: 10, etaSeconds: 1, attempt: 1, message: null });

function download(id: string, files: FileProgressDto[], extra: Partial<DownloadDto> = {}): DownloadDto {
  return { id, name: 'a/b', source: 'hf', endpoint: 'http://127.0.0.1:1', revision: 'main', kind: 'pull', modelId: null, state: 'downloading', bytesDone: 0, bytesTotal: 200, speedBps: 0, etaSeconds: null, filesDone: 0, fileCount: 2, files, error: null, startedAt: `2026-01-01T00:00:0${id.length}Z`, ...extra };
}

function model(id: number, name: string): LibraryModelDto {
  return { id, name, source: 'hf', endpoint: null, revision: 'main', commit: null, path: `/ws/models/${id}`, managed: true, builtIn: false, status: 'ready', diskBytes: 10, expectedBytes: 10, fileCount: 5, card: null, cardError: null, fits: { lora: null, qlora: null }, problems: [], addedAt: 't', updatedAt: 't', checkedAt: null };
}

const curated: CuratedListDto = {
  gpu: null,
  gpuNote: 'none',
  assumptions: 'a',
  sourceNote: 's',
  models: [
    { key: 'q', family: 'Qwen2.5', label: 'Qwen2.5 7B Instruct', hf: 'Qwen/Qwen2.5-7B-Instruct', modelscope: 'Qwen/Qwen2.5-7B-Instruct', gated: false, kind: 'instruct', parameters: 7e9, approxDownloadBytes: 14e9, vramLoraBytes: 1, vramQloraBytes: 1, fits: { lora: null, qlora: null } },
    { key: 'l', family: 'Llama 3', label: 'Llama 3.2 1B Instruct', hf: 'meta-llama/Llama-3.2-1B-Instruct', modelscope: null, gated: true, kind: 'instruct', parameters: 1e9, approxDownloadBytes: 2e9, vramLoraBytes: 1, vramQloraBytes: 1, fits: { lora: null, qlora: null } },
  ],
};

function fakeLibrary() {
  const progress = emitter<readonly DownloadDto[]>();
  const finished = emitter<DownloadFinishedEvent>();
  const changed = emitter<void>();
  const models: LibraryModelDto[] = [];
  const tokens: TokenStatusDto[] = [{ source: 'hf', present: false, storage: 'none', note: 'No token.' }, { source: 'modelscope', present: false, storage: 'none', note: 'No token.' }];
  const service: LibraryService = {
    list: async () => [...models],
    curated: async () => curated,
    pull: async (r) => {
      if (r.name === 'gated/model') throw new LatheError('forbidden', 'gated/model is gated or private (HTTP 401).');
      return download('d1', []);
    },
    downloads: async () => [download('old', [file('x', 100, 'done')], { state: 'done' }), download('live', [file('y', 5)])],
    cancel: async (id) => download(id, [], { state: 'cancelled' }),
    remove: async (id) => {
      models.splice(models.findIndex((m) => m.id === id), 1);
      return { removed: true, deletedFiles: true };
    },
    addFolder: async (path) => {
      const m = model(models.length + 1, path);
      models.push(m);
      return m;
    },
    check: async (id) => ({ ...models.find((m) => m.id === id)!, status: 'corrupted' }),
    repair: async () => download('r1', [], { kind: 'repair' }),
    card: async (id) => ({ path: `/ws/models/${id}`, name: 'm' }) as never,
    tokenStatus: async () => [...tokens],
    setToken: async (source) => {
      const t = { source, present: true, storage: 'memory' as const, note: 'Kept in memory for this session only.' };
      tokens[tokens.findIndex((x) => x.source === source)] = t;
      return t;
    },
    clearToken: async (source) => tokens.find((t) => t.source === source)!,
    onProgress: (cb) => progress.on(cb),
    onFinished: (cb) => finished.on(cb),
    onChanged: (cb) => changed.on(() => cb()),
  };
  return { service, models, progress, finished, changed };
}

describe('library slice', () => {
  it('counts a library holding only the built-in demo model as empty of the user’s own models', async () => {
    const f = fakeLibrary();
    f.models.push({ ...model(0, 'lathe-tiny-llama'), builtIn: true, managed: false, source: 'local' });
    const s = testStore({ library: f.service });
    await s.getState().loadLibrary();
    expect(librarySelectors.models(s.getState()).map((m) => m.name)).toEqual(['lathe-tiny-llama']);
    expect(librarySelectors.isEmpty(s.getState())).toBe(true);
    f.models.push(model(1, 'a/b'));
    await s.getState().loadLibrary();
    expect(librarySelectors.isEmpty(s.getState())).toBe(false);
  });

  it('loads an empty library, then folds progress events (changed files only) into a download', async () => {
    const f = fakeLibrary();
    const s = testStore({ library: f.service });
    await s.getState().loadLibrary();
    expect(librarySelectors.isEmpty(s.getState())).toBe(true);
    const off = s.getState().watchLibrary();
    expect(await s.getState().pullModel({ name: 'a/b', source: 'hf' })).toBe(true);
    f.progress.emit([download('d1', [file('config.json', 100, 'done'), file('model.safetensors', 10)], { bytesDone: 110 })]);
    f.progress.emit([download('d1', [file('model.safetensors', 60)], { bytesDone: 160 })]);
    const d = s.getState().downloads.d1!;
    expect(d.bytesDone).toBe(160);
    expect(d.files.map((x) => [x.path, x.bytesDone])).toEqual([['config.json', 100], ['model.safetensors', 60]]);
    expect(librarySelectors.runningCount(s.getState())).toBe(1);

    f.models.push(model(1, 'a/b'));
    f.finished.emit({ downloadId: 'd1', name: 'a/b', modelId: 1, state: 'done', error: null });
    expect(s.getState().downloads.d1!.state).toBe('done');
    await new Promise((r) => setTimeout(r, 0));
    expect(librarySelectors.models(s.getState()).map((m) => m.name)).toEqual(['a/b']);
    expect(librarySelectors.runningCount(s.getState())).toBe(0);
    off();
    expect(f.progress.count()).toBe(0);
  });

  it('shows the hub’s message when a pull is refused, and clears it', async () => {
    const s = testStore({ library: fakeLibrary().service });
    expect(await s.getState().pullModel({ name: 'gated/model', source: 'hf' })).toBe(false);
    expect(librarySelectors.error(s.getState())).toBe('gated/model is gated or private (HTTP 401).');
    s.getState().clearLibraryError();
    expect(librarySelectors.error(s.getState())).toBeUndefined();
  });

  it('adds a folder, checks, repairs and removes a model; restores downloads after a reload', async () => {
    const f = fakeLibrary();
    const s = testStore({ library: f.service });
    expect(await s.getState().addModelFolder('/data/m')).toBe(true);
    const id = librarySelectors.models(s.getState())[0]!.id;
    expect(await s.getState().checkModel(id, true)).toBe(true);
    expect(await s.getState().repairModel(id)).toBe(true);
    await s.getState().loadModelCard(id);
    expect(librarySelectors.card(id)(s.getState())?.path).toBe(`/ws/models/${id}`);
    expect(s.getState().downloads.r1!.kind).toBe('repair');
    expect(await s.getState().removeModel(id)).toBe(true);
    expect(librarySelectors.models(s.getState())).toEqual([]);
    expect(s.getState().libraryBusy).toEqual([]);
    s.getState().dismissDownload('r1');
    await s.getState().loadDownloads();
    expect(Object.keys(s.getState().downloads)).toEqual(['live']);
    s.getState().dismissDownload('live');
    expect(s.getState().downloads).toEqual({});
  });

  it('searches the curated list by words in any order', async () => {
    const s = testStore({ library: fakeLibrary().service });
    await s.getState().loadCurated();
    s.getState().setCuratedSearch('instruct llama');
    expect(librarySelectors.curatedMatches(s.getState()).map((m) => m.key)).toEqual(['l']);
    s.getState().setCuratedSearch('');
    expect(librarySelectors.curatedMatches(s.getState())).toHaveLength(2);
    expect(matchesSearch(curated.models[0]!, 'qwen 7b')).toBe(true);
  });

  it('sets a token and reloads the token status', async () => {
    const s = testStore({ library: fakeLibrary().service });
    await s.getState().loadHubTokens();
    expect(librarySelectors.token('hf')(s.getState())?.present).toBe(false);
    expect(await s.getState().setHubToken('hf', 'hf_abcdefgh')).toBe(true);
    expect(librarySelectors.token('hf')(s.getState())).toMatchObject({ present: true, storage: 'memory' });
  });

  it('mergeDownload keeps files a progress event did not mention', () => {
    const a = download('x', [file('a', 1), file('b', 2)]);
    const b = download('x', [file('b', 50)], { bytesDone: 51 });
    expect(mergeDownload(a, b).files.map((f) => f.bytesDone)).toEqual([1, 50]);
    expect(mergeDownload(undefined, b)).toBe(b);
  });
});
