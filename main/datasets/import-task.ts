// What a background import is asked to do and how it reports back; shared by the worker and its caller.
// It holds no logic beyond dispatching to the pipeline or the LLaMA-Factory folder importer.
import type { ImportLlamaFactoryResult, ImportResult } from '../../preload/contract/datasets.js';
import type { SerializedError } from '../../preload/contract/define.js';
import type { WriterStats } from '../db/dataset-import-writer.js';
import type { DatasetsStore } from '../db/datasets-store.js';
import { runImport, type ImportHooks, type ImportJob, type ImportProgress } from './import-pipeline.js';
import { importLlamaFactoryFolder } from './llamafactory-folder.js';

export type ImportTask = { readonly kind: 'file'; readonly job: ImportJob } | { readonly kind: 'llamafactory'; readonly projectId: number; readonly dir: string };
export type ImportTaskResult = ImportResult | ImportLlamaFactoryResult;

export type WorkerToMain =
  | { readonly type: 'progress'; readonly progress: ImportProgress }
  | { readonly type: 'dataset'; readonly datasetId: number }
  | { readonly type: 'written'; readonly stats: WriterStats }
  | { readonly type: 'done'; readonly result: ImportTaskResult }
  | { readonly type: 'error'; readonly error: SerializedError };
export type MainToWorker = { readonly type: 'cancel' };

export function runTask(store: DatasetsStore, task: ImportTask, hooks: ImportHooks): Promise<ImportTaskResult> {
  return task.kind === 'file' ? runImport(store, task.job, hooks) : importLlamaFactoryFolder(store, task.projectId, task.dir, hooks);
}
