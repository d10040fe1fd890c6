// The prompt preview's actions: pick a model (the bundled tiny one by default), a template, options and a dataset;
// render the row shown (fast, per step, read by main from the stored dataset) and compute the whole dataset's
// length statistics in main (a job with progress and cancel, restarted when anything but the row changes); step,
// jump, and jump to the longest record the statistics found.
import type { StateCreator } from 'zustand';
import { LatheError, messageOf } from '../../bridge/lathe-error.js';
import type { DatasetsService } from '../../services/datasets.js';
import type { ModelsService } from '../../services/models.js';
import type { PreviewService } from '../../services/preview.js';
import type { TemplatesService } from '../../services/templates.js';
import type { MainMessage } from '../../i18n/main-message-text.js';
import type { LatheStore } from '../index.js';
import { previewInitialState, type PreviewOptions, type PreviewState } from './initialState.js';

export interface PreviewDeps {
  readonly models: ModelsService;
  readonly templates: TemplatesService;
  readonly preview: PreviewService;
  readonly datasets: DatasetsService;
}

export interface PreviewActions {
  loadDefaultModel(): Promise<void>;
  loadModel(path: string): Promise<void>;
  chooseTemplate(name: string | undefined): Promise<void>;
  setPreviewOptions(options: Partial<PreviewOptions>): Promise<void>;
  usePreviewDataset(id: number | undefined): Promise<void>;
  /** Shows row `index` (its idx, from 0) of the dataset, clamped to its rows. */
  showRecord(index: number): Promise<void>;
  /** Shows the longest record of the whole dataset (needs the statistics). */
  showLongest(): Promise<void>;
  /** (Re)computes the statistics of the whole dataset; the running job, if any, is cancelled first. */
  computeStats(): Promise<void>;
  cancelStats(): Promise<void>;
  clearPreviewError(): void;
}

export type PreviewSlice = PreviewState & PreviewActions;

let jobCounter = 0;
const newJobId = () => `preview-stats-${Date.now().toString(36)}-${++jobCounter}`;

export const createPreviewSlice =
  (deps: PreviewDeps): StateCreator<LatheStore, [], [], PreviewSlice> =>
  (set, get) => {
    let renderSeq = 0;
    /** The statistics job whose answer and progress are wanted; others are cancelled or ignored. */
    let statsJob: string | undefined;
    const fail = (err: unknown) => set({ previewError: messageOf(err) });
    const request = () => {
      const s = get();
      return { modelPath: s.modelPath, ...(s.templateChoice ? { template: s.templateChoice } : {}), options: { ...s.previewOptions, enableThinking: true } };
    };
    const ready = () => get().modelCard !== undefined && get().previewDatasetId !== undefined && get().previewRowCount > 0;

    const render = async () => {
      if (!ready()) return set({ rendered: undefined });
      const seq = ++renderSeq;
      const { recordIndex, previewDatasetId } = get();
      set({ previewBusy: 'render' });
      try {
        const rendered = await deps.preview.record({ ...request(), datasetId: previewDatasetId!, index: recordIndex });
        if (seq === renderSeq) set({ rendered, previewBusy: undefined, previewError: undefined });
      } catch (err) {
        if (seq === renderSeq) set({ previewBusy: undefined, previewError: messageOf(err) });
      }
    };

    const stopStats = () => {
      const old = statsJob;
      statsJob = undefined;
      // Frees main's workers; the old call then fails with 'cancelled', which nobody waits for.
      if (old) void deps.preview.cancel(old).catch(() => undefined);
    };

    const computeStats = async () => {
      stopStats();
      if (!ready()) return set({ stats: undefined, statsProgress: undefined });
      const jobId = newJobId();
      statsJob = jobId;
      const startedAt = Date.now();
      set({ stats: undefined, statsCancelled: false, statsProgress: { done: 0, total: get().previewRowCount, startedAt } });
      const off = deps.preview.onDatasetProgress((e) => {
        if (e.jobId === jobId && statsJob === jobId) set({ statsProgress: { done: e.done, total: e.total, startedAt } });
      });
      try {
        const r = await deps.preview.dataset({ ...request(), datasetId: get().previewDatasetId!, rows: 0, jobId });
        if (statsJob !== jobId) return;
        statsJob = undefined;
        set({ stats: r.stats, statsProgress: undefined, renderedTemplate: r.template, templateWarnings: mergeWarnings(get().templateWarnings, r.warnings), previewError: undefined });
      } catch (err) {
        // A superseded job (new options, another dataset) was cancelled by stopStats: its answer is not wanted.
        if (statsJob !== jobId) return;
        statsJob = undefined;
        const cancelled = err instanceof LatheError && err.code === 'cancelled';
        set({ statsProgress: undefined, statsCancelled: cancelled });
        if (!cancelled) fail(err);
      } finally {
        off();
      }
    };

    const refreshAll = () => Promise.all([render(), computeStats()]).then(() => undefined);

    return {
      ...previewInitialState,
      async loadDefaultModel() {
        if (get().modelPath) return;
        set({ modelBusy: true });
        try {
          const card = await deps.models.defaultModel();
          set({ modelPath: card.path, modelBusy: false });
          await get().loadModel(card.path);
        } catch (err) {
          set({ modelBusy: false });
          fail(err);
        }
      },
      async loadModel(path) {
        set({ modelPath: path, modelBusy: true, previewError: undefined });
        try {
          const [card, proposal, templates] = await Promise.all([
            deps.models.inspect({ path }),
            deps.templates.propose(path, get().templateChoice),
            get().templates.length ? Promise.resolve(get().templates) : deps.templates.list(),
          ]);
          if (get().modelPath !== path) return;
          set({ modelCard: card, proposedTemplate: get().templateChoice ? get().proposedTemplate ?? card.proposedTemplate : proposal.template, templateWarnings: proposal.warnings, templates, modelBusy: false });
          await refreshAll();
        } catch (err) {
          set({ modelBusy: false, modelCard: undefined });
          fail(err);
        }
      },
      async chooseTemplate(name) {
        set({ templateChoice: name });
        const path = get().modelPath;
        if (path) {
          try {
            const proposal = await deps.templates.propose(path, name);
            set({ templateWarnings: proposal.warnings, ...(name ? {} : { proposedTemplate: proposal.template }) });
          } catch (err) {
            fail(err);
          }
        }
        await refreshAll();
      },
      async setPreviewOptions(options) {
        set({ previewOptions: { ...get().previewOptions, ...options } });
        await refreshAll();
      },
      async usePreviewDataset(id) {
        stopStats();
        set({ previewDatasetId: id, previewRowCount: 0, recordIndex: 0, rendered: undefined, stats: undefined, statsProgress: undefined, statsCancelled: false });
        if (id === undefined) return;
        try {
          const d = await deps.datasets.get(id);
          if (get().previewDatasetId !== id) return;
          set({ previewRowCount: d.rowCount });
          await refreshAll();
        } catch (err) {
          fail(err);
        }
      },
      async showRecord(index) {
        const n = get().previewRowCount;
        if (n === 0) return;
        set({ recordIndex: Math.min(n - 1, Math.max(0, Math.trunc(index))) });
        await render();
      },
      async showLongest() {
        const longest = get().stats?.longest[0];
        if (longest) await get().showRecord(longest.index);
      },
      computeStats,
      async cancelStats() {
        const jobId = statsJob;
        if (!jobId) return;
        try {
          await deps.preview.cancel(jobId);
        } catch (err) {
          fail(err);
        }
      },
      clearPreviewError: () => set({ previewError: undefined }),
    };
  };

/** The proposal's warnings, then the preview's ones that are not among them yet. */
function mergeWarnings(a: readonly MainMessage[], b: readonly MainMessage[]): readonly MainMessage[] {
  const seen = new Set(a.map((w) => w.message));
  const added = b.filter((w) => !seen.has(w.message));
  return added.length > 0 ? [...a, ...added] : a;
}
