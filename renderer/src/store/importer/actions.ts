// The import wizard's actions: upload → inspect (re-read on encoding/sheet/header change) → map (live preview)
// → validate → save with progress and cancel. Late answers of superseded requests are dropped.
import type { StateCreator } from 'zustand';
import type { Mapping, ReaderOptions } from '../../../../preload/contract/datasets.js';
import { LatheError, messageOf } from '../../bridge/lathe-error.js';
import type { DatasetsService } from '../../services/datasets.js';
import type { UploadedFile } from '../../services/upload.js';
import type { LatheStore } from '../index.js';
import { importerInitialState, type ImporterState, type ImportStep } from './initialState.js';
import { missingRequired } from './mapping-edit.js';

export type UploadFn = (file: File, onProgress?: (fraction: number) => void, signal?: AbortSignal) => Promise<UploadedFile>;

export interface ImporterActions {
  importFromFile(file: File): Promise<void>;
  /** A file main can already read (the demo data, a path typed in web mode). */
  importFromPath(path: string, name: string, bytes?: number): Promise<void>;
  setReaderOptions(options: ReaderOptions): Promise<void>;
  updateMapping(mapping: Mapping): Promise<void>;
  goToImportStep(step: ImportStep): void;
  /** Fetches one row of the file as read and as mapped (any row: main streams the file to it) for the report. */
  showSourceRow(row: number | undefined): Promise<void>;
  runValidation(): Promise<void>;
  setSkipBad(skip: boolean): void;
  saveImport(projectId: number, name?: string): Promise<boolean>;
  cancelImport(): Promise<void>;
  resetImport(): void;
  importLlamaFactoryFolder(projectId: number, dir: string): Promise<boolean>;
  clearImportError(): void;
}

export type ImporterSlice = ImporterState & ImporterActions;

let jobCounter = 0;
const newJobId = () => `import-${Date.now().toString(36)}-${++jobCounter}`;

export const createImporterSlice =
  (service: DatasetsService, upload: UploadFn): StateCreator<LatheStore, [], [], ImporterSlice> =>
  (set, get) => {
    let inspectSeq = 0;
    let previewSeq = 0;
    let rowSeq = 0;
    let uploadAbort: AbortController | undefined;
    let validateJob: string | undefined;

    // Main names the file by its path; in web mode that is the uploaded copy under the workspace's tmp folder, which
    // the person never chose: name it as they know it.
    const fileMessage = (err: unknown) => {
      const text = messageOf(err);
      const f = get().importFile;
      return f && f.path !== f.name ? text.split(f.path).join(f.name) : text;
    };

    const preview = async () => {
      const { importFile, readerOptions, mapping } = get();
      if (!importFile || !mapping || missingRequired(mapping).length > 0) {
        set({ mappedPreview: undefined });
        return;
      }
      const seq = ++previewSeq;
      set({ importBusy: 'preview' });
      try {
        const result = await service.preview({ file: importFile.path, options: readerOptions, mapping, limit: 20 });
        if (seq === previewSeq) set({ mappedPreview: result, importBusy: undefined, importError: undefined });
      } catch (err) {
        if (seq === previewSeq) set({ importBusy: undefined, importError: fileMessage(err) });
      }
    };

    const inspect = async (keepMapping: boolean) => {
      const { importFile, readerOptions } = get();
      if (!importFile) return;
      const seq = ++inspectSeq;
      set({ importBusy: 'inspect', importError: undefined });
      try {
        const inspection = await service.inspect({ file: importFile.path, options: readerOptions });
        if (seq !== inspectSeq) return;
        // A new header row or sheet changes the columns: take the new suggestion unless the old mapping still fits.
        const old = get().mapping;
        const fits = old && Object.values(old.fields).every((f) => f.columns.every((c) => inspection.columns.includes(c)));
        set({ inspection, mapping: keepMapping && fits ? old : inspection.suggestion.mapping, validation: undefined, sourceRow: undefined, importBusy: undefined });
        await preview();
      } catch (err) {
        if (seq === inspectSeq) set({ importBusy: undefined, importError: fileMessage(err) });
      }
    };

    return {
      ...importerInitialState,
      async importFromFile(file) {
        uploadAbort?.abort();
        const abort = (uploadAbort = new AbortController());
        set({ ...importerInitialState, importBusy: 'upload', uploadProgress: 0 });
        try {
          const saved = await upload(file, (f) => set({ uploadProgress: f }), abort.signal);
          if (abort.signal.aborted) return;
          set({ uploadProgress: undefined });
          await get().importFromPath(saved.path, file.name, saved.bytes);
        } catch (err) {
          if (abort.signal.aborted) return;
          set({ importBusy: undefined, uploadProgress: undefined, importError: messageOf(err) });
        }
      },
      async importFromPath(path, name, bytes = 0) {
        set({ ...importerInitialState, importFile: { name, path, bytes }, importStep: 'source' });
        await inspect(false);
      },
      async setReaderOptions(options) {
        set({ readerOptions: { ...get().readerOptions, ...options } });
        await inspect(true);
      },
      async updateMapping(mapping) {
        rowSeq++;
        set({ mapping, validation: undefined, sourceRow: undefined });
        await preview();
      },
      goToImportStep(step) {
        set({ importStep: step });
        if (step === 'validate' && !get().validation && get().importBusy !== 'validate') void get().runValidation();
      },
      async runValidation() {
        const { importFile, readerOptions, mapping } = get();
        if (!importFile || !mapping) return;
        const jobId = newJobId();
        validateJob = jobId;
        set({ importBusy: 'validate', importError: undefined, importJob: { jobId, phase: 'reading', bytesRead: 0, totalBytes: importFile.bytes, rows: 0, startedAt: Date.now() } });
        // Validation reads the whole file: its progress comes as import progress events with our job id.
        const off = service.onImportProgress((e) => {
          const job = get().importJob;
          if (job && e.jobId === jobId) set({ importJob: { ...job, bytesRead: e.bytesRead, totalBytes: e.totalBytes, rows: e.rows } });
        });
        try {
          const validation = await service.validate({ file: importFile.path, options: readerOptions, mapping, jobId });
          if (validateJob === jobId) set({ validation, importBusy: undefined, importJob: undefined });
        } catch (err) {
          const cancelled = err instanceof LatheError && err.code === 'cancelled';
          if (validateJob === jobId) set({ importBusy: undefined, importJob: undefined, importError: cancelled ? undefined : messageOf(err), ...(cancelled ? { importStep: 'mapping' as const } : {}) });
        } finally {
          off();
        }
      },
      async showSourceRow(row) {
        const seq = ++rowSeq;
        const { importFile, readerOptions, mapping } = get();
        if (row === undefined || !importFile || !mapping) return set({ sourceRow: undefined });
        set({ sourceRow: { row, record: undefined, loading: true } });
        try {
          const result = await service.preview({ file: importFile.path, options: readerOptions, mapping, fromRow: row, limit: 1 });
          if (seq === rowSeq) set({ sourceRow: { row, record: result.records.find((r) => r.row === row), loading: false } });
        } catch (err) {
          if (seq === rowSeq) set({ sourceRow: { row, record: undefined, loading: false }, importError: messageOf(err) });
        }
      },
      setSkipBad: (skipBad) => set({ skipBad }),
      async saveImport(projectId, name) {
        const { importFile, readerOptions, mapping, skipBad } = get();
        if (!importFile || !mapping) return false;
        const jobId = newJobId();
        set({
          importStep: 'save',
          importBusy: 'save',
          importError: undefined,
          importResult: undefined,
          importJob: { jobId, phase: 'starting', bytesRead: 0, totalBytes: importFile.bytes, rows: 0, startedAt: Date.now() },
        });
        const off = service.onImportProgress((e) => {
          const job = get().importJob;
          if (job && e.jobId === job.jobId) set({ importJob: { ...job, phase: e.phase, bytesRead: e.bytesRead, totalBytes: e.totalBytes, rows: e.rows } });
        });
        try {
          const trimmed = name?.trim();
          const result = await service.import({ projectId, file: importFile.path, options: readerOptions, mapping, skipBad, allowDuplicate: true, jobId, ...(trimmed ? { name: trimmed } : {}) });
          const job = get().importJob;
          set({ importResult: result, importBusy: undefined, importJob: job && { ...job, phase: 'done', rows: result.rows } });
          return true;
        } catch (err) {
          const cancelled = err instanceof LatheError && err.code === 'cancelled';
          const job = get().importJob;
          set({ importBusy: undefined, importJob: job && { ...job, phase: cancelled ? 'cancelled' : 'failed' }, importError: cancelled ? undefined : messageOf(err) });
          return false;
        } finally {
          off();
        }
      },
      async cancelImport() {
        if (get().importBusy === 'upload') {
          uploadAbort?.abort();
          set({ importBusy: undefined, uploadProgress: undefined });
          return;
        }
        const job = get().importJob;
        if (job && (get().importBusy === 'save' || get().importBusy === 'validate')) {
          try {
            await service.cancel(job.jobId);
          } catch (err) {
            set({ importError: messageOf(err) });
          }
        }
      },
      resetImport() {
        uploadAbort?.abort();
        inspectSeq++;
        previewSeq++;
        rowSeq++;
        set({ ...importerInitialState });
      },
      async importLlamaFactoryFolder(projectId, dir) {
        set({ importBusy: 'folder', importError: undefined, folderResult: undefined });
        try {
          const r = await service.importLlamaFactory({ projectId, dir, jobId: newJobId() });
          set({
            importBusy: undefined,
            folderResult: { imported: r.imported.map((i) => ({ entry: i.entry, rows: i.rows, skipped: i.skipped })), skipped: r.skipped },
          });
          return true;
        } catch (err) {
          set({ importBusy: undefined, importError: messageOf(err) });
          return false;
        }
      },
      clearImportError: () => set({ importError: undefined }),
    };
  };
