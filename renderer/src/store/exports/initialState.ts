// The exports slice's state: the project's kept exports, and the export jobs started from this window (in order).
import type { ExportDto, ExportJobDto } from '../../../../preload/contract/exports.js';

export interface ExportsState {
  exportsList: readonly ExportDto[];
  exportsProjectId: number | undefined;
  exportJobs: readonly ExportJobDto[];
  exportsError: string | undefined;
}

export const exportsInitialState: ExportsState = { exportsList: [], exportsProjectId: undefined, exportJobs: [], exportsError: undefined };
