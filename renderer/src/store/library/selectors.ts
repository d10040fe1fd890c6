// Pure reads of the library slice for components. Derived arrays: use with useShallow.
import type { CuratedModelDto, DownloadDto } from '../../../../preload/contract/index.js';
import type { LatheStore } from '../index.js';

const RUNNING: readonly DownloadDto['state'][] = ['listing', 'downloading', 'verifying'];

export function matchesSearch(m: CuratedModelDto, text: string): boolean {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const hay = `${m.label} ${m.family} ${m.hf} ${m.modelscope ?? ''} ${m.kind}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

export const librarySelectors = {
  models: (s: LatheStore) => s.libraryModels,
  status: (s: LatheStore) => s.libraryStatus,
  error: (s: LatheStore) => s.libraryError,
  /** No models of the user's own (the built-in demo model is listed all the same). */
  isEmpty: (s: LatheStore) => s.libraryStatus === 'ready' && s.libraryModels.every((m) => m.builtIn),
  curated: (s: LatheStore) => s.curated,
  curatedSearch: (s: LatheStore) => s.curatedSearch,
  curatedMatches: (s: LatheStore) => (s.curated?.models ?? []).filter((m) => matchesSearch(m, s.curatedSearch)),
  /** Newest first. */
  downloads: (s: LatheStore) => Object.values(s.downloads).sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1)),
  runningCount: (s: LatheStore) => Object.values(s.downloads).filter((d) => RUNNING.includes(d.state)).length,
  isRunning: (d: DownloadDto) => RUNNING.includes(d.state),
  token: (source: 'hf' | 'modelscope') => (s: LatheStore) => s.hubTokens.find((t) => t.source === source),
  isBusy: (id: number) => (s: LatheStore) => s.libraryBusy.includes(id),
  card: (id: number) => (s: LatheStore) => s.modelCards[id],
};
