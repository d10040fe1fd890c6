// The `library` domain: models downloaded by name from a hub into the workspace, folders the user adds, their
// cards, checks and repairs, the curated list, and hub tokens. The HTTP work is main/hub's; the card and VRAM
// figures are main/models'; the rows are main/db/library-store's. Downloads run in the background (async I/O).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Empty } from '../../preload/contract/app.js';
import { errorText, LatheError } from '../../preload/contract/errors.js';
import type {
  AddFolderRequest,
  CardSummaryDto,
  CheckModelRequest,
  CuratedListDto,
  DownloadDto,
  DownloadRef,
  HubSource,
  HubTokenRef,
  ILibraryService,
  LibraryModelDto,
  LibraryModelRef,
  PullRequest,
  RemoveModelRequest,
  SetHubTokenRequest,
  TokenStatusDto,
} from '../../preload/contract/library.js';
import type { ModelCardDto } from '../../preload/contract/models.js';
import { LibraryStore, type ExpectedFile, type LibraryRow } from '../db/library-store.js';
import { selectModelFiles } from '../hub/file-selection.js';
import { HfClient } from '../hub/hf-client.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../hub/hub-http.js';
import { DEFAULT_ENDPOINTS, isRepoId, normaliseEndpoint, type HubClient } from '../hub/hub-types.js';
import { ModelScopeClient } from '../hub/modelscope-client.js';
import { platformBackends, TokenStore, usableBackends } from '../hub/token-store.js';
import { buildModelCard } from '../models/model-card.js';
import type { ServiceContext } from '../services/service-context.js';
import { runDownload, runHash } from './background-runner.js';
import { curatedList } from './curated-list.js';
import { DownloadManager } from './download-manager.js';
import { detectGpu, fits, gpuNote, type GpuDetection } from './gpu-detect.js';
import { checkModelFolder, folderBytes } from './integrity-check.js';
import { folderNameFor } from './model-folder-name.js';
import { builtInModels, isBuiltInId } from './builtin-models.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const LIBRARY_ERROR_CODES = ['err.library.builtIn', 'err.library.noModel', 'err.library.noFolder', 'err.library.already', 'err.library.noConfig', 'err.library.downloading', 'err.library.notRepoId', 'err.library.noSafetensors', 'err.library.diskSpace'] as const;
const errText = errorText(LIBRARY_ERROR_CODES);

export interface LibraryDeps {
  readonly tokens: TokenStore;
  readonly detectGpu: () => Promise<GpuDetection>;
  readonly retry: RetryPolicy;
  readonly concurrency: number;
  readonly progressIntervalMs: number;
  /** Download and hash in a worker thread when the compiled worker exists (the app); tests run inline. */
  readonly useWorker: boolean;
}

/** Kept in each downloaded folder so a workspace copied elsewhere (or a lost DB) still knows where it came from. */
export const SOURCE_FILE = '.lathe-source.json';

const DEFAULT_REVISION: Readonly<Record<HubSource, string>> = { hf: 'main', modelscope: 'master' };

interface CardCache {
  readonly summary?: CardSummaryDto;
  readonly error?: string;
}

export class LibraryService implements ILibraryService {
  private readonly store: LibraryStore;
  private readonly deps: LibraryDeps;
  readonly downloadsInFlight: DownloadManager;
  private gpu: Promise<GpuDetection> | undefined;
  /** The scan in progress: concurrent list() calls share it rather than race to insert the same folder. */
  private scanning: Promise<void> | undefined;

  constructor(
    private readonly ctx: ServiceContext,
    deps: Partial<LibraryDeps> = {},
  ) {
    this.store = new LibraryStore(ctx.workspace.db);
    this.deps = {
      tokens: deps.tokens ?? new TokenStore(() => usableBackends(platformBackends(path.join(ctx.workspace.paths.home, 'secrets')))),
      detectGpu: deps.detectGpu ?? detectGpu,
      retry: deps.retry ?? DEFAULT_RETRY,
      concurrency: deps.concurrency ?? 4,
      progressIntervalMs: deps.progressIntervalMs ?? 250,
      useWorker: deps.useWorker ?? true,
    };
    this.downloadsInFlight = new DownloadManager(
      (downloads) => ctx.events.emit('library.progress', { downloads }),
      (d) => ctx.events.emit('library.finished', { downloadId: d.id, name: d.name, modelId: d.modelId, state: d.state as 'done' | 'failed' | 'cancelled', error: d.error }),
      this.deps.progressIntervalMs,
    );
  }

  dispose(): void {
    void this.downloadsInFlight.dispose();
  }

  // ---- library ----

  async list(_req?: Empty): Promise<readonly LibraryModelDto[]> {
    await (this.scanning ??= this.scanModelsFolder().finally(() => (this.scanning = undefined)));
    const gpu = (await this.detection()).gpu;
    const builtIn = await this.builtInRows();
    return [...builtIn.map((r) => this.toDto(r, gpu, true)), ...this.store.list().map((r) => this.toDto(r, gpu))];
  }

  async get(id: number): Promise<LibraryModelDto> {
    const gpu = (await this.detection()).gpu;
    return isBuiltInId(id) ? this.toDto(await this.builtInRow(id), gpu, true) : this.toDto(this.store.get(id), gpu);
  }

  /** A model by id, hub name or folder name (the CLI's `lathe model rm NAME`). */
  async find(nameOrId: string): Promise<LibraryModelDto> {
    const all = await this.list();
    const hit =
      all.find((m) => m.name.toLowerCase() === nameOrId.toLowerCase()) ??
      all.find((m) => path.basename(m.path).toLowerCase() === nameOrId.toLowerCase()) ??
      (/^\d+$/.test(nameOrId) ? all.find((m) => m.id === Number(nameOrId)) : undefined);
    if (!hit) throw new LatheError('not_found', `There is no model “${nameOrId}” in the library. See: lathe model list`, undefined, errText('err.library.noModel', { name: nameOrId }));
    return hit;
  }

  async curated(_req?: Empty): Promise<CuratedListDto> {
    return curatedList(await this.detection());
  }

  async addFolder({ path: p }: AddFolderRequest): Promise<LibraryModelDto> {
    const abs = path.resolve(p);
    try {
      if (!(await fs.stat(abs)).isDirectory()) throw new Error();
    } catch {
      throw new LatheError('not_found', `The folder ${abs} does not exist.`, { path: abs }, errText('err.library.noFolder', { path: abs }));
    }
    const stored = this.storedPath(abs);
    if (this.store.findByPath(stored) || builtInModels().some((m) => path.resolve(m.path) === abs)) throw new LatheError('already_exists', `${abs} is already in the library.`, { path: abs }, errText('err.library.already', { path: abs }));
    try {
      await fs.stat(path.join(abs, 'config.json'));
    } catch {
      throw new LatheError('bad_input', `${abs} has no config.json: choose a Hugging Face model folder (config.json, tokenizer files, *.safetensors).`, { path: abs }, errText('err.library.noConfig', { path: abs }));
    }
    const row = this.store.insert({ name: path.basename(abs), source: 'local', endpoint: null, revision: null, path: stored, managed: this.isManaged(abs), status: 'incomplete' });
    this.ctx.events.emit('library.changed', { id: row.id, change: 'added' });
    return this.check({ id: row.id });
  }

  async check({ id, full }: CheckModelRequest): Promise<LibraryModelDto> {
    if (isBuiltInId(id)) {
      this.builtIns = undefined; // checked again from its folder
      return this.get(id);
    }
    const row = this.store.get(id);
    if (this.downloadsInFlight.forModel(id)) throw new LatheError('conflict', `${row.name} is downloading; check it when the download ends.`, undefined, errText('err.library.downloading', { name: row.name }));
    const dir = this.absPath(row);
    const signal = new AbortController().signal;
    const report = await checkModelFolder(dir, row.files, {
      full: full ?? false,
      hash: (p, file) => runHash({ type: 'hash', path: p, file }, { useWorker: this.deps.useWorker, signal }),
    });
    const card = report.status === 'missing' ? row.card : await cardSummary(dir);
    const updated = this.store.update(id, { status: report.status, problems: report.problems, diskBytes: report.diskBytes, card, checked: true });
    this.ctx.events.emit('library.changed', { id, change: 'updated' });
    return this.toDto(updated, (await this.detection()).gpu);
  }

  async card({ id }: LibraryModelRef): Promise<ModelCardDto> {
    return buildModelCard(isBuiltInId(id) ? (await this.builtInRow(id)).path : this.absPath(this.store.get(id)));
  }

  async remove({ id }: RemoveModelRequest): Promise<{ readonly removed: true; readonly deletedFiles: boolean }> {
    if (isBuiltInId(id)) {
      const row = await this.builtInRow(id);
      throw new LatheError('forbidden', `${row.name} comes with Lathe (the demo model) and cannot be removed.`, { id }, errText('err.library.builtIn', { name: row.name }));
    }
    const row = this.store.get(id);
    const running = this.downloadsInFlight.forModel(id);
    if (running) await this.downloadsInFlight.cancel(running.id);
    if (row.managed) await fs.rm(this.absPath(row), { recursive: true, force: true });
    this.store.remove(id);
    this.ctx.events.emit('library.changed', { id, change: 'removed' });
    return { removed: true, deletedFiles: row.managed };
  }

  // ---- downloads ----

  async pull(req: PullRequest): Promise<DownloadDto> {
    return (await this.startPull(req)).download;
  }

  /** Starts a download; `done` settles when it ends (the CLI awaits it). */
  async startPull(req: PullRequest): Promise<{ download: DownloadDto; done: Promise<DownloadDto> }> {
    const name = req.name.trim();
    if (!isRepoId(name)) throw new LatheError('invalid_request', `“${name}” is not a model name: use owner/name, e.g. Qwen/Qwen2.5-7B-Instruct.`, undefined, errText('err.library.notRepoId', { name }));
    const source = req.source ?? 'hf';
    let endpoint: string;
    try {
      endpoint = normaliseEndpoint(req.endpoint?.trim() || DEFAULT_ENDPOINTS[source]);
    } catch (err) {
      throw new LatheError('invalid_request', (err as Error).message);
    }
    const revision = req.revision?.trim() || DEFAULT_REVISION[source];
    const stored = path.posix.join('models', folderNameFor(name));
    let row = this.store.findByPath(stored);
    if (row && (row.source !== source || row.name !== name || row.endpoint !== endpoint)) {
      // The same folder filled from another hub or mirror (or a copied-in folder of that name): the newer source
      // wins, and every file is verified against its listing.
      row = this.store.update(row.id, { name, source, endpoint, revision });
    }
    return this.startJob({ name, source, endpoint, revision, kind: 'pull' }, row, stored, []);
  }

  async repair({ id }: LibraryModelRef): Promise<DownloadDto> {
    return (await this.startRepair(id)).download;
  }

  async startRepair(id: number): Promise<{ download: DownloadDto; done: Promise<DownloadDto> }> {
    const row = isBuiltInId(id) ? await this.builtInRow(id) : this.store.get(id);
    if (row.source === 'local' || !row.endpoint) {
      throw new LatheError('unsupported', `Lathe does not know which hub ${row.name} came from, so it cannot fetch its files again. Download it by name instead.`);
    }
    const dir = this.absPath(row);
    const quick = await checkModelFolder(dir, row.files);
    // Bad files are deleted first so the download fetches them again; a checksum problem comes from a full check.
    const bad = new Set([...quick.problems, ...row.problems].filter((p) => ['size', 'checksum', 'unreadable'].includes(p.problem)).map((p) => p.path));
    const known = new Set(row.files.map((f) => f.path));
    const toDelete = [...bad].filter((p) => known.has(p) || p.endsWith('.safetensors') || p.endsWith('.json'));
    const revision = row.commit ?? row.revision ?? DEFAULT_REVISION[row.source];
    return this.startJob({ name: row.name, source: row.source, endpoint: row.endpoint, revision, kind: 'repair' }, row, row.path, toDelete);
  }

  async downloads(_req?: Empty): Promise<readonly DownloadDto[]> {
    return this.downloadsInFlight.list();
  }

  async cancel({ downloadId }: DownloadRef): Promise<DownloadDto> {
    return this.downloadsInFlight.cancel(downloadId);
  }

  // ---- tokens ----

  async tokenStatus(_req?: Empty): Promise<readonly TokenStatusDto[]> {
    return Promise.all((['hf', 'modelscope'] as const).map((s) => this.deps.tokens.status(s)));
  }

  async setToken({ source, token }: SetHubTokenRequest): Promise<TokenStatusDto> {
    return this.deps.tokens.set(source, token);
  }

  async clearToken({ source }: HubTokenRef): Promise<TokenStatusDto> {
    return this.deps.tokens.clear(source);
  }

  // ---- internals ----

  private async startJob(
    spec: { name: string; source: HubSource; endpoint: string; revision: string; kind: 'pull' | 'repair' },
    existing: LibraryRow | undefined,
    stored: string,
    deleteFirst: readonly string[],
  ): Promise<{ download: DownloadDto; done: Promise<DownloadDto> }> {
    const token = await this.deps.tokens.get(spec.source);
    const client = this.client(spec.source, spec.endpoint, token);
    const started = this.downloadsInFlight.start({ ...spec, modelId: existing?.id ?? null }, async (ctl) => {
      const dir = resolveStored(this.ctx.workspace.paths.home, stored);
      let modelId = existing?.id ?? null;
      try {
        const listing = await client.list(spec.name, spec.revision, ctl.signal);
        const files = selectModelFiles(listing.files);
        if (!files.some((f) => f.path.endsWith('.safetensors'))) {
          throw new LatheError('unsupported', `${spec.name} has no safetensors weights at ${spec.revision}; Lathe trains from safetensors only.`, undefined, errText('err.library.noSafetensors', { name: spec.name, revision: spec.revision }));
        }
        const expected: ExpectedFile[] = files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, gitSha1: f.gitSha1 }));
        if (modelId === null) {
          const row = this.store.findByPath(stored) ?? this.store.insert({ name: spec.name, source: spec.source, endpoint: spec.endpoint, revision: spec.revision, path: stored, managed: true, status: 'downloading' });
          modelId = row.id;
          ctl.setModelId(modelId);
          this.ctx.events.emit('library.changed', { id: modelId, change: 'added' });
        }
        this.store.update(modelId, { status: 'downloading', endpoint: spec.endpoint, revision: spec.kind === 'repair' ? undefined : spec.revision, commit: listing.commit, files: expected });
        await fs.mkdir(dir, { recursive: true });
        await ensureDiskSpace(dir, expected);
        await writeSourceFile(dir, { source: spec.source, name: spec.name, endpoint: spec.endpoint, revision: spec.revision, commit: listing.commit, files: expected });
        for (const p of deleteFirst) await fs.rm(path.join(dir, ...p.split('/')), { force: true });
        ctl.setState('downloading');
        await runDownload(
          { type: 'download', source: spec.source, endpoint: spec.endpoint, token, retry: this.deps.retry, repo: spec.name, revision: listing.commit ?? spec.revision, files, dir, concurrency: this.deps.concurrency },
          { useWorker: this.deps.useWorker, signal: ctl.signal, onProgress: (s) => ctl.progress(s) },
        );
        ctl.setState('verifying');
        const report = await checkModelFolder(dir, expected);
        this.store.update(modelId, { status: report.status, problems: report.problems, diskBytes: report.diskBytes, card: await cardSummary(dir), checked: true });
        this.ctx.events.emit('library.changed', { id: modelId, change: 'updated' });
        if (report.status !== 'ready') {
          throw new LatheError('io_error', `${spec.name} downloaded, but the folder is not usable: ${report.problems.map((p) => `${p.path}: ${p.detail}`).join(' ')}`);
        }
        return modelId;
      } catch (err) {
        if (modelId !== null) {
          const diskBytes = await folderBytes(dir);
          const cur = this.store.get(modelId);
          if (cur.status === 'downloading') this.store.update(modelId, { status: 'incomplete', diskBytes });
          this.ctx.events.emit('library.changed', { id: modelId, change: 'updated' });
        }
        throw err;
      }
    });
    return started;
  }

  private client(source: HubSource, endpoint: string, token: string | null): HubClient {
    return source === 'hf' ? new HfClient(endpoint, token, this.deps.retry) : new ModelScopeClient(endpoint, token, this.deps.retry);
  }

  private detection(): Promise<GpuDetection> {
    this.gpu ??= this.deps.detectGpu().catch((err: unknown) => ({ gpu: null, note: gpuNote('gpu.detectionFailed', { error: (err as Error).message }, `GPU detection failed: ${(err as Error).message}`) }));
    return this.gpu;
  }

  private isManaged(abs: string): boolean {
    const rel = path.relative(this.ctx.workspace.paths.models, abs);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  }

  /** Paths inside the workspace are stored relative to it, so a moved workspace keeps working. */
  private storedPath(abs: string): string {
    return this.isManaged(abs) ? path.relative(this.ctx.workspace.paths.home, abs).split(path.sep).join('/') : abs;
  }

  /** Built-in models as library rows: checked and carded once per service (their folders do not change). */
  private builtIns: Promise<LibraryRow[]> | undefined;

  private builtInRows(): Promise<LibraryRow[]> {
    return (this.builtIns ??= Promise.all(
      builtInModels().map(async (m): Promise<LibraryRow> => {
        const report = await checkModelFolder(m.path, []);
        const now = new Date().toISOString();
        return { id: m.id, name: m.name, source: 'local', endpoint: null, revision: null, commit: null, path: m.path, managed: false, status: report.status, files: [], diskBytes: report.diskBytes, card: await cardSummary(m.path), problems: report.problems, addedAt: now, updatedAt: now, checkedAt: now };
      }),
    ));
  }

  private async builtInRow(id: number): Promise<LibraryRow> {
    const row = (await this.builtInRows()).find((r) => r.id === id);
    if (!row) throw new LatheError('not_found', `There is no model “${id}” in the library. See: lathe model list`, undefined, errText('err.library.noModel', { name: String(id) }));
    return row;
  }

  private absPath(row: LibraryRow): string {
    return resolveStored(this.ctx.workspace.paths.home, row.path);
  }

  /** Folders in the workspace's models folder that the DB does not know yet (copied in, or a DB restored). */
  private async scanModelsFolder(): Promise<void> {
    const entries = await fs.readdir(this.ctx.workspace.paths.models, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.')) continue;
      const abs = path.join(this.ctx.workspace.paths.models, e.name);
      const stored = this.storedPath(abs);
      if (this.store.findByPath(stored)) continue;
      const meta = await readSourceFile(abs);
      const hasConfig = await fs.stat(path.join(abs, 'config.json')).then(() => true, () => false);
      if (!meta && !hasConfig) continue;
      // A download may have registered the folder while this scan was reading it.
      if (this.store.findByPath(stored)) continue;
      const row = this.store.insert({
        name: meta?.name ?? e.name,
        source: meta?.source ?? 'local',
        endpoint: meta?.endpoint ?? null,
        revision: meta?.revision ?? null,
        path: stored,
        managed: true,
        status: 'incomplete',
      });
      if (meta) this.store.update(row.id, { commit: meta.commit, files: meta.files });
      const report = await checkModelFolder(abs, meta?.files ?? []);
      this.store.update(row.id, { status: report.status, problems: report.problems, diskBytes: report.diskBytes, card: await cardSummary(abs), checked: true });
    }
  }

  private toDto(r: LibraryRow, gpu: GpuDetection['gpu'], builtIn = false): LibraryModelDto {
    const cache = (r.card ?? {}) as CardCache;
    const expectedBytes = r.files.length && r.files.every((f) => f.size !== null) ? r.files.reduce((s, f) => s + (f.size ?? 0), 0) : null;
    return {
      id: r.id,
      name: r.name,
      source: r.source,
      endpoint: r.endpoint,
      revision: r.revision,
      commit: r.commit,
      path: this.absPath(r),
      managed: r.managed,
      builtIn,
      // A row left 'downloading' by a process that quit mid-download is incomplete until pulled again.
      status: this.downloadsInFlight.forModel(r.id) ? 'downloading' : r.status === 'downloading' ? 'incomplete' : r.status,
      diskBytes: r.diskBytes,
      expectedBytes,
      fileCount: r.files.length,
      card: cache.summary ?? null,
      cardError: cache.summary ? null : (cache.error ?? null),
      fits: { lora: fits(cache.summary?.vramLoraBytes ?? null, gpu), qlora: fits(cache.summary?.vramQloraBytes ?? null, gpu) },
      problems: [...r.problems],
      addedAt: r.addedAt,
      updatedAt: r.updatedAt,
      checkedAt: r.checkedAt,
    };
  }
}

/** Refuses a download that cannot fit, before it fills the disk: counts what is already in the folder. */
async function ensureDiskSpace(dir: string, expected: readonly ExpectedFile[]): Promise<void> {
  let needed = 0;
  for (const f of expected) {
    if (f.size === null) continue;
    const have = await fs.stat(path.join(dir, ...f.path.split('/'))).then((st) => st.size, () => fs.stat(path.join(dir, ...f.path.split('/')) + '.part').then((st) => st.size, () => 0));
    needed += Math.max(0, f.size - have);
  }
  const st = await fs.statfs(dir).catch(() => null);
  if (!st) return;
  const free = st.bavail * st.bsize;
  if (needed > free) {
    const gib = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GiB`;
    throw new LatheError('io_error', `Not enough disk space: the download needs ${gib(needed)} more, and ${dir} has ${gib(free)} free. Free some space or use a workspace on a bigger disk (--home).`, { needed, free }, errText('err.library.diskSpace', { needed: gib(needed), dir, free: gib(free) }));
  }
}

function resolveStored(home: string, stored: string): string {
  return path.isAbsolute(stored) ? stored : path.join(home, ...stored.split('/'));
}

/** The card's headline figures, or why there is none; stored with the row so listing stays cheap. */
async function cardSummary(dir: string): Promise<CardCache> {
  try {
    const c = await buildModelCard(dir);
    return {
      summary: {
        architecture: c.architecture,
        parameters: c.parameters,
        dtype: c.dtype,
        kind: c.kind,
        contextLength: c.contextLength,
        proposedTemplate: c.proposedTemplate,
        vramLoraBytes: c.vram.find((v) => v.method === 'lora')?.totalBytes ?? 0,
        vramQloraBytes: c.vram.find((v) => v.method === 'qlora')?.totalBytes ?? 0,
      },
    };
  } catch (err) {
    return { error: LatheError.from(err).message };
  }
}

interface SourceFile {
  source: HubSource;
  name: string;
  endpoint: string;
  revision: string;
  commit: string | null;
  files: ExpectedFile[];
}

async function writeSourceFile(dir: string, meta: SourceFile): Promise<void> {
  const file = path.join(dir, SOURCE_FILE);
  await fs.writeFile(`${file}.tmp`, `${JSON.stringify(meta, null, 2)}\n`);
  await fs.rename(`${file}.tmp`, file);
}

async function readSourceFile(dir: string): Promise<SourceFile | null> {
  try {
    const m = JSON.parse(await fs.readFile(path.join(dir, SOURCE_FILE), 'utf8')) as SourceFile;
    return (m.source === 'hf' || m.source === 'modelscope') && isRepoId(m.name) && Array.isArray(m.files) ? m : null;
  } catch {
    return null;
  }
}
