// The downloads in flight in this process: each one's per-file and overall progress, cancel by id, and progress
// events batched (main/ipc/throttle.ts) so a fast network does not flood the renderer. Knows nothing of hubs or
// the DB: the job it runs (library-service.ts) does the work and reports snapshots.
import { randomUUID } from 'node:crypto';
import type { DownloadDto, DownloadState, FileProgressDto, HubSource } from '../../preload/contract/library.js';
import { errorText, LatheError } from '../../preload/contract/errors.js';
import type { DownloadSnapshot } from '../hub/downloader.js';
import { Batcher } from '../ipc/throttle.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const DOWNLOAD_ERROR_CODES = ['err.download.already'] as const;
const errText = errorText(DOWNLOAD_ERROR_CODES);

export interface DownloadSpec {
  readonly name: string;
  readonly source: HubSource;
  readonly endpoint: string;
  readonly revision: string;
  readonly kind: 'pull' | 'repair';
  readonly modelId: number | null;
}

export interface JobControl {
  readonly id: string;
  readonly signal: AbortSignal;
  /** The library row the download fills, once known (a first pull creates it after listing the repo). */
  setModelId(modelId: number): void;
  setState(state: DownloadState): void;
  progress(s: DownloadSnapshot): void;
}

interface Entry {
  dto: Omit<DownloadDto, 'files'>;
  files: Map<string, FileProgressDto>;
  changed: Set<string>;
  controller: AbortController;
  done: Promise<DownloadDto>;
}

/** Finished downloads kept for `downloads()` so a page opened later still shows how they ended. */
const KEEP_FINISHED = 20;

export class DownloadManager {
  private readonly entries = new Map<string, Entry>();
  private readonly batcher: Batcher<string>;

  constructor(
    private readonly emitProgress: (downloads: DownloadDto[]) => void,
    private readonly emitFinished: (d: DownloadDto) => void,
    intervalMs = 250,
  ) {
    this.batcher = new Batcher<string>(intervalMs, (ids) => this.flush(ids));
  }

  /** Runs `job` in the background; `done` settles with the final DTO (never rejects). */
  start(spec: DownloadSpec, job: (ctl: JobControl) => Promise<number | null>): { download: DownloadDto; done: Promise<DownloadDto> } {
    const same = this.active().find((e) => e.dto.name.toLowerCase() === spec.name.toLowerCase() && e.dto.source === spec.source);
    if (same) throw new LatheError('conflict', `${spec.name} is already downloading. Wait for it or cancel it first.`, { downloadId: same.dto.id }, errText('err.download.already', { name: spec.name }));
    const id = randomUUID();
    const controller = new AbortController();
    const entry: Entry = {
      dto: { id, ...spec, state: 'listing', bytesDone: 0, bytesTotal: 0, speedBps: 0, etaSeconds: null, filesDone: 0, fileCount: 0, error: null, startedAt: new Date().toISOString() },
      files: new Map(),
      changed: new Set(),
      controller,
      done: Promise.resolve(undefined as unknown as DownloadDto),
    };
    this.entries.set(id, entry);
    const ctl: JobControl = {
      id,
      signal: controller.signal,
      setModelId: (modelId) => {
        entry.dto = { ...entry.dto, modelId };
      },
      setState: (state) => {
        entry.dto = { ...entry.dto, state };
        this.batcher.push(id);
      },
      progress: (s) => {
        entry.dto = { ...entry.dto, bytesDone: s.bytesDone, bytesTotal: s.bytesTotal, speedBps: s.speedBps, etaSeconds: s.etaSeconds, filesDone: s.filesDone, fileCount: s.fileCount };
        for (const f of s.changed) {
          entry.files.set(f.path, f);
          entry.changed.add(f.path);
        }
        this.batcher.push(id);
      },
    };
    entry.done = job(ctl).then(
      (modelId) => this.finish(entry, 'done', null, modelId),
      (err: unknown) => {
        const e = LatheError.from(err);
        return this.finish(entry, controller.signal.aborted || e.code === 'cancelled' ? 'cancelled' : 'failed', { code: e.code, message: e.message, ...(e.text ? { messageCode: e.text.code, messageParams: e.text.params } : {}) }, entry.dto.modelId);
      },
    );
    this.batcher.push(id);
    return { download: this.full(entry), done: entry.done };
  }

  list(): DownloadDto[] {
    return [...this.entries.values()].map((e) => this.full(e));
  }

  get(id: string): DownloadDto {
    const e = this.entries.get(id);
    if (!e) throw new LatheError('not_found', 'There is no such download (it may have finished long ago).');
    return this.full(e);
  }

  /** Stops a download; its partial files stay, so pulling again resumes. */
  async cancel(id: string): Promise<DownloadDto> {
    const e = this.entries.get(id);
    if (!e) throw new LatheError('not_found', 'There is no such download (it may have finished already).');
    e.controller.abort();
    return e.done;
  }

  /** The running download of a library model, if any. */
  forModel(modelId: number): DownloadDto | undefined {
    const e = this.active().find((x) => x.dto.modelId === modelId);
    return e ? this.full(e) : undefined;
  }

  /** Cancels everything (the process is closing). */
  async dispose(): Promise<void> {
    const running = this.active();
    running.forEach((e) => e.controller.abort());
    await Promise.all(running.map((e) => e.done));
    this.batcher.close();
  }

  private active(): Entry[] {
    return [...this.entries.values()].filter((e) => !['done', 'failed', 'cancelled'].includes(e.dto.state));
  }

  private finish(entry: Entry, state: 'done' | 'failed' | 'cancelled', error: DownloadDto['error'], modelId: number | null): DownloadDto {
    entry.dto = { ...entry.dto, state, error, modelId, speedBps: 0, etaSeconds: state === 'done' ? 0 : null };
    this.batcher.push(entry.dto.id);
    this.batcher.flush();
    const dto = this.full(entry);
    this.emitFinished(dto);
    const finished = [...this.entries.values()].filter((e) => ['done', 'failed', 'cancelled'].includes(e.dto.state));
    for (const old of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.entries.delete(old.dto.id);
    return dto;
  }

  private flush(ids: string[]): void {
    const out: DownloadDto[] = [];
    for (const id of new Set(ids)) {
      const e = this.entries.get(id);
      if (!e) continue;
      out.push({ ...e.dto, files: [...e.changed].map((p) => e.files.get(p)!) });
      e.changed.clear();
    }
    if (out.length) this.emitProgress(out);
  }

  private full(e: Entry): DownloadDto {
    return { ...e.dto, files: [...e.files.values()] };
  }
}
