// The prompt preview's actions: pick a model (the bundled tiny one by default), a template, options and a dataset;
// render the current record (fast, per step) and the dataset's length statistics (when anything but the record
// index changes); step, jump, and find the longest record (a cancellable pass in chunks).
import type { StateCreator } from 'zustand';
import type { NormalisedRecord } from '../../../../preload/contract/datasets.js';
import { messageOf } from '../../bridge/lathe-error.js';
import type { DatasetsService } from '../../services/datasets.js';
import type { ModelsService } from '../../services/models.js';
import type { PreviewService } from '../../services/preview.js';
import type { TemplatesService } from '../../services/templates.js';
import type { LatheStore } from '../index.js';
import { PREVIEW_RECORD_CAP, previewInitialState, type PreviewOptions, type PreviewState } from './initialState.js';

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
  showRecord(index: number): Promise<void>;
  findLongest(): Promise<void>;
  cancelLongest(): void;
  clearPreviewError(): void;
}

export type PreviewSlice = PreviewState & PreviewActions;

const LONGEST_CHUNK = 100;

export const createPreviewSlice =
  (deps: PreviewDeps): StateCreator<LatheStore, [], [], PreviewSlice> =>
  (set, get) => {
    let renderSeq = 0;
    let statsSeq = 0;
    let longestAbort = false;
    const fail = (err: unknown) => set({ previewError: messageOf(err), previewBusy: undefined });
    const request = () => {
      const s = get();
      return { modelPath: s.modelPath, ...(s.templateChoice ? { template: s.templateChoice } : {}), options: { ...s.previewOptions, enableThinking: true } };
    };
    const ready = () => get().modelCard !== undefined && get().previewRecords.length > 0;

    const render = async () => {
      if (!ready()) return set({ rendered: undefined });
      const seq = ++renderSeq;
      const { recordIndex, previewRecords } = get();
      set({ previewBusy: 'render' });
      try {
        const rendered = await deps.preview.record({ ...request(), record: previewRecords[recordIndex]!, index: recordIndex });
        if (seq === renderSeq) set({ rendered, previewBusy: undefined, previewError: undefined });
      } catch (err) {
        if (seq === renderSeq) fail(err);
      }
    };

    const refreshAll = async () => {
      if (!ready()) return set({ rendered: undefined, stats: undefined });
      const seq = ++statsSeq;
      set({ previewBusy: 'stats' });
      try {
        const r = await deps.preview.dataset({ ...request(), records: [...get().previewRecords], offset: get().recordIndex, rows: 1 });
        if (seq !== statsSeq) return;
        set({ stats: r.stats, renderedTemplate: r.template, templateWarnings: mergeWarnings(get().templateWarnings, r.warnings), rendered: r.records[0] ?? get().rendered, previewBusy: undefined, previewError: undefined });
      } catch (err) {
        if (seq === statsSeq) fail(err);
      }
    };

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
        set({ previewDatasetId: id, previewRecords: [], recordIndex: 0, rendered: undefined, stats: undefined, previewRecordsCapped: false });
        if (id === undefined) return;
        set({ previewBusy: 'records' });
        try {
          const records: NormalisedRecord[] = [];
          let total = Infinity;
          for (let offset = 0; offset < total && records.length < PREVIEW_RECORD_CAP; ) {
            const page = await deps.datasets.rows({ id, offset, limit: 1000 });
            total = page.total;
            for (const r of page.rows) if (!r.excluded && records.length < PREVIEW_RECORD_CAP) records.push(r.record);
            if (page.rows.length === 0) break;
            offset += page.rows.length;
          }
          if (get().previewDatasetId !== id) return;
          set({ previewRecords: records, previewRecordsCapped: total > PREVIEW_RECORD_CAP, previewBusy: undefined });
          await refreshAll();
        } catch (err) {
          fail(err);
        }
      },
      async showRecord(index) {
        const n = get().previewRecords.length;
        if (n === 0) return;
        set({ recordIndex: Math.min(n - 1, Math.max(0, index)) });
        await render();
      },
      async findLongest() {
        const records = get().previewRecords;
        if (!ready()) return;
        longestAbort = false;
        set({ previewBusy: 'longest', longestProgress: { done: 0, total: records.length } });
        let best = { index: 0, length: -1 };
        try {
          for (let offset = 0; offset < records.length; offset += LONGEST_CHUNK) {
            if (longestAbort) break;
            const r = await deps.preview.dataset({ ...request(), records: records.slice(offset, offset + LONGEST_CHUNK), offset: 0, rows: LONGEST_CHUNK });
            r.records.forEach((rec, i) => {
              if (rec.fullLength > best.length) best = { index: offset + i, length: rec.fullLength };
            });
            set({ longestProgress: { done: Math.min(records.length, offset + LONGEST_CHUNK), total: records.length } });
          }
          set({ previewBusy: undefined, longestProgress: undefined });
          if (!longestAbort && best.length >= 0) await get().showRecord(best.index);
        } catch (err) {
          set({ longestProgress: undefined });
          fail(err);
        }
      },
      cancelLongest() {
        longestAbort = true;
      },
      clearPreviewError: () => set({ previewError: undefined }),
    };
  };

function mergeWarnings(a: readonly string[], b: readonly string[]): readonly string[] {
  return [...new Set([...a, ...b])];
}
