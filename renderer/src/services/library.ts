// Renderer-side access to the library domain: downloads, the local model library, the curated list and tokens.
// Thin wrappers over the bridge so the slice never touches a transport.
import type { DownloadDto, DownloadFinishedEvent, HubSource, PullRequest } from '../../../preload/contract/index.js';
import { lathe } from '../bridge/lathe-client.js';

export const libraryService = {
  list: () => lathe.library.list({}),
  curated: () => lathe.library.curated({}),
  pull: (r: PullRequest) => lathe.library.pull(r),
  downloads: () => lathe.library.downloads({}),
  cancel: (downloadId: string) => lathe.library.cancel({ downloadId }),
  remove: (id: number) => lathe.library.remove({ id }),
  addFolder: (path: string) => lathe.library.addFolder({ path }),
  check: (id: number, full: boolean) => lathe.library.check({ id, full }),
  repair: (id: number) => lathe.library.repair({ id }),
  card: (id: number) => lathe.library.card({ id }),
  tokenStatus: () => lathe.library.tokenStatus({}),
  setToken: (source: HubSource, token: string) => lathe.library.setToken({ source, token }),
  clearToken: (source: HubSource) => lathe.library.clearToken({ source }),
  onProgress: (cb: (downloads: readonly DownloadDto[]) => void): (() => void) => lathe.on('library.progress', (p) => cb(p.downloads)),
  onFinished: (cb: (e: DownloadFinishedEvent) => void): (() => void) => lathe.on('library.finished', cb),
  onChanged: (cb: () => void): (() => void) => lathe.on('library.changed', cb),
};
export type LibraryService = typeof libraryService;
