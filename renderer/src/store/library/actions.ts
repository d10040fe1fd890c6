// The library slice's actions: load the library, curated list, downloads and tokens; pull, cancel, check, repair,
// add and remove models; fold progress events into the downloads. Failures land in libraryError as a message.
import type { StateCreator } from 'zustand';
import type { DownloadDto, DownloadFinishedEvent, HubSource, PullRequest } from '../../../../preload/contract/index.js';
import { messageOf } from '../../bridge/lathe-error.js';
import type { LibraryService } from '../../services/library.js';
import type { LatheStore } from '../index.js';
import { libraryInitialState, type LibraryState } from './initialState.js';

export interface LibraryActions {
  loadLibrary(): Promise<void>;
  loadCurated(): Promise<void>;
  loadDownloads(): Promise<void>;
  loadHubTokens(): Promise<void>;
  pullModel(request: PullRequest): Promise<boolean>;
  cancelDownload(id: string): Promise<void>;
  dismissDownload(id: string): void;
  removeModel(id: number): Promise<boolean>;
  checkModel(id: number, full: boolean): Promise<boolean>;
  repairModel(id: number): Promise<boolean>;
  addModelFolder(path: string): Promise<boolean>;
  loadModelCard(id: number): Promise<void>;
  setHubToken(source: HubSource, token: string): Promise<boolean>;
  clearHubToken(source: HubSource): Promise<boolean>;
  applyDownloadProgress(downloads: readonly DownloadDto[]): void;
  downloadFinished(e: DownloadFinishedEvent): void;
  setCuratedSearch(text: string): void;
  clearLibraryError(): void;
  /** Subscribes to the library's events; returns the unsubscribe. */
  watchLibrary(): () => void;
}

export type LibrarySlice = LibraryState & LibraryActions;

/** Merges a progress update (changed files only) into what is known of a download. */
export function mergeDownload(prev: DownloadDto | undefined, next: DownloadDto): DownloadDto {
  if (!prev) return next;
  const files = new Map(prev.files.map((f) => [f.path, f]));
  for (const f of next.files) files.set(f.path, f);
  return { ...next, files: [...files.values()] };
}

export const createLibrarySlice =
  (service: LibraryService): StateCreator<LatheStore, [], [], LibrarySlice> =>
  (set, get) => {
    const attempt = async (work: () => Promise<unknown>, reload = true): Promise<boolean> => {
      try {
        await work();
        if (reload) await get().loadLibrary();
        return true;
      } catch (err) {
        set({ libraryError: messageOf(err) });
        return false;
      }
    };
    const busy = async (id: number, work: () => Promise<unknown>) => {
      set({ libraryBusy: [...get().libraryBusy, id] });
      try {
        return await attempt(work);
      } finally {
        set({ libraryBusy: get().libraryBusy.filter((x) => x !== id) });
      }
    };
    const putDownload = (d: DownloadDto) => set({ downloads: { ...get().downloads, [d.id]: mergeDownload(get().downloads[d.id], d) } });
    return {
      ...libraryInitialState,
      async loadLibrary() {
        set({ libraryStatus: get().libraryStatus === 'ready' ? 'ready' : 'loading' });
        try {
          set({ libraryModels: await service.list(), libraryStatus: 'ready' });
        } catch (err) {
          set({ libraryStatus: 'error', libraryError: messageOf(err) });
        }
      },
      loadCurated: async () => void (await attempt(async () => set({ curated: await service.curated() }), false)),
      loadHubTokens: async () => void (await attempt(async () => set({ hubTokens: await service.tokenStatus() }), false)),
      /** Restores the downloads still running (after a reload); ended ones live on in the library table. */
      async loadDownloads() {
        await attempt(async () => {
          const running = (await service.downloads()).filter((d) => d.state === 'listing' || d.state === 'downloading' || d.state === 'verifying');
          set({ downloads: { ...Object.fromEntries(running.map((d) => [d.id, d])), ...get().downloads } });
        }, false);
      },
      pullModel: (request) => attempt(async () => putDownload(await service.pull(request))),
      cancelDownload: async (id) => void (await attempt(async () => putDownload(await service.cancel(id)))),
      dismissDownload(id) {
        const { [id]: _gone, ...rest } = get().downloads;
        set({ downloads: rest });
      },
      removeModel: (id) => busy(id, () => service.remove(id)),
      checkModel: (id, full) => busy(id, () => service.check(id, full)),
      repairModel: (id) => busy(id, async () => putDownload(await service.repair(id))),
      addModelFolder: (path) => attempt(() => service.addFolder(path)),
      loadModelCard: async (id) => void (await attempt(async () => set({ modelCards: { ...get().modelCards, [id]: await service.card(id) } }), false)),
      setHubToken: (source, token) => attempt(async () => (await service.setToken(source, token), set({ hubTokens: await service.tokenStatus() })), false),
      clearHubToken: (source) => attempt(async () => (await service.clearToken(source), set({ hubTokens: await service.tokenStatus() })), false),
      applyDownloadProgress(downloads) {
        let all = get().downloads;
        for (const d of downloads) all = { ...all, [d.id]: mergeDownload(all[d.id], d) };
        set({ downloads: all });
      },
      downloadFinished(e) {
        const d = get().downloads[e.downloadId];
        if (d) set({ downloads: { ...get().downloads, [e.downloadId]: { ...d, state: e.state, error: e.error, modelId: e.modelId } } });
        void get().loadLibrary();
      },
      setCuratedSearch: (text) => set({ curatedSearch: text }),
      clearLibraryError: () => set({ libraryError: undefined }),
      watchLibrary() {
        const offs = [
          service.onProgress((d) => get().applyDownloadProgress(d)),
          service.onFinished((e) => get().downloadFinished(e)),
          service.onChanged(() => void get().loadLibrary()),
        ];
        return () => offs.forEach((off) => off());
      },
    };
  };

/** Stands in when a store is built without the library service (other slices' test stores): every call fails. */
export const libraryUnavailable = new Proxy({} as LibraryService, {
  get: () => () => {
    throw new Error('The library service is not connected in this store.');
  },
});
