// The import wizard's state: the file, how it is read, the mapping, the mapped preview, the validation report,
// and the save job. One import at a time; resetting returns here.
import type { ImportLlamaFactoryResult, ImportResult, Mapping, PreviewResult, ReaderOptions, SourceInspection, ValidationReport } from '../../../../preload/contract/datasets.js';

/** A row of the file the validation report jumped to; `record` undefined when the file has no such row (blank). */
export interface SourceRowView {
  readonly row: number;
  readonly record: PreviewResult['records'][number] | undefined;
  readonly loading: boolean;
}

export const IMPORT_STEPS = ['file', 'source', 'mapping', 'validate', 'save'] as const;
export type ImportStep = (typeof IMPORT_STEPS)[number];

export interface ImportJob {
  readonly jobId: string;
  readonly phase: 'starting' | 'reading' | 'writing' | 'done' | 'failed' | 'cancelled';
  readonly bytesRead: number;
  readonly totalBytes: number;
  readonly rows: number;
  readonly startedAt: number;
}

export interface ImporterState {
  importStep: ImportStep;
  importFile: { readonly name: string; readonly path: string; readonly bytes: number } | undefined;
  uploadProgress: number | undefined;
  inspection: SourceInspection | undefined;
  readerOptions: ReaderOptions;
  mapping: Mapping | undefined;
  mappedPreview: PreviewResult | undefined;
  validation: ValidationReport | undefined;
  sourceRow: SourceRowView | undefined;
  skipBad: boolean;
  importJob: ImportJob | undefined;
  importResult: ImportResult | undefined;
  /** What the wizard is waiting for, if anything. */
  importBusy: 'upload' | 'inspect' | 'preview' | 'validate' | 'save' | 'folder' | undefined;
  importError: string | undefined;
  /** The last LLaMA-Factory folder import: what came in, what was left out and why. */
  folderResult: { imported: readonly { entry: string; rows: number; skipped: number }[]; skipped: ImportLlamaFactoryResult['skipped'] } | undefined;
}

export const importerInitialState: ImporterState = {
  importStep: 'file',
  importFile: undefined,
  uploadProgress: undefined,
  inspection: undefined,
  readerOptions: {},
  mapping: undefined,
  mappedPreview: undefined,
  validation: undefined,
  sourceRow: undefined,
  skipBad: true,
  importJob: undefined,
  importResult: undefined,
  importBusy: undefined,
  importError: undefined,
  folderResult: undefined,
};
