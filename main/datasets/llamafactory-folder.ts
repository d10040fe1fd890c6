// Imports a LLaMA-Factory data folder: reads its dataset_info.json and imports every entry whose file is in the
// folder; hub/script entries and missing files are listed as skipped with the reason. It does not download.
import fs from 'node:fs';
import path from 'node:path';
import type { ImportLlamaFactoryResult } from '../../preload/contract/datasets.js';
import { errorText, LatheError } from '../../preload/contract/errors.js';
import type { DatasetsStore } from '../db/datasets-store.js';
import { resolveInside } from '../workspace/safe-path.js';
import { runImport, type ImportHooks } from './import-pipeline.js';
import { entryMapping, remoteSource, type LlamaFactoryEntry } from './llamafactory-format.js';
import { sampleSource } from './source-sample.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const LLAMAFACTORY_FOLDER_ERROR_CODES = ['err.llamafactory.noInfo', 'err.llamafactory.badJson', 'err.llamafactory.notObject'] as const;
const errText = errorText(LLAMAFACTORY_FOLDER_ERROR_CODES);

export async function readDatasetInfo(dir: string): Promise<Record<string, LlamaFactoryEntry>> {
  const file = path.join(dir, 'dataset_info.json');
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch {
    throw new LatheError('not_found', `${dir} has no dataset_info.json, so it is not a LLaMA-Factory data folder.`, { file }, errText('err.llamafactory.noInfo', { dir }));
  }
  let info: unknown;
  try {
    info = JSON.parse(text);
  } catch (err) {
    throw new LatheError('bad_input', `${file} is not valid JSON: ${(err as Error).message}`, { file }, errText('err.llamafactory.badJson', { file, detail: (err as Error).message }));
  }
  if (!info || typeof info !== 'object' || Array.isArray(info)) throw new LatheError('bad_input', `${file} should hold an object of dataset entries.`, { file }, errText('err.llamafactory.notObject', { file }));
  return info as Record<string, LlamaFactoryEntry>;
}

/** Codes of the reasons an entry is left out (the renderer has a `main.<code>` text for each; a test checks). */
export const LLAMAFACTORY_FOLDER_CODES = ['llamafactory.notObject', 'llamafactory.remote', 'llamafactory.leavesFolder', 'llamafactory.missingFile', 'llamafactory.shardFolder'] as const;
type SkipCode = (typeof LLAMAFACTORY_FOLDER_CODES)[number];
type Skipped = ImportLlamaFactoryResult['skipped'][number];
const skip = (entry: string, code: SkipCode, params: Readonly<Record<string, string>>, reason: string): Skipped => ({ entry, reason, code, params });

export async function importLlamaFactoryFolder(store: DatasetsStore, projectId: number, dir: string, hooks: ImportHooks = {}): Promise<ImportLlamaFactoryResult> {
  store.requireProject(projectId);
  const info = await readDatasetInfo(dir);
  const imported: ImportLlamaFactoryResult['imported'] = [];
  const skipped: ImportLlamaFactoryResult['skipped'] = [];
  for (const [entry, attr] of Object.entries(info)) {
    if (!attr || typeof attr !== 'object') {
      skipped.push(skip(entry, 'llamafactory.notObject', {}, 'The entry is not an object.'));
      continue;
    }
    const remote = remoteSource(attr);
    if (remote) {
      skipped.push(skip(entry, 'llamafactory.remote', { remote }, `Points at a hub or script (${remote}); Lathe imports local files only. Download it into the folder and set file_name.`));
      continue;
    }
    let file: string;
    try {
      file = resolveInside(dir, attr.file_name!);
    } catch {
      skipped.push(skip(entry, 'llamafactory.leavesFolder', { file: String(attr.file_name) }, `file_name “${attr.file_name}” leaves the folder.`));
      continue;
    }
    const stat = await fs.promises.stat(file).catch(() => null);
    if (!stat) {
      skipped.push(skip(entry, 'llamafactory.missingFile', { file: String(attr.file_name) }, `Its file ${attr.file_name} is not in the folder.`));
      continue;
    }
    if (!stat.isFile()) {
      skipped.push(skip(entry, 'llamafactory.shardFolder', { file: String(attr.file_name) }, `Its file_name ${attr.file_name} is a folder of shards; import each file on its own.`));
      continue;
    }
    try {
      const sample = await sampleSource(file, {});
      const mapping = entryMapping(attr, sample.inspection.columns);
      const r = await runImport(
        store,
        {
          projectId,
          file,
          name: entry,
          options: {},
          mapping,
          skipBad: true,
          allowDuplicate: false,
          formatLabel: 'llamafactory',
          extraOptions: { llamafactoryEntry: entry, formatting: attr.formatting ?? 'alpaca', ...(attr.ranking ? { ranking: true } : {}) },
        },
        hooks,
      );
      imported.push({ entry, dataset: r.dataset, rows: r.rows, skipped: r.skipped });
    } catch (err) {
      if (err instanceof LatheError && err.code === 'cancelled') throw err;
      skipped.push({ entry, reason: LatheError.from(err).message });
    }
  }
  return { imported, skipped };
}
