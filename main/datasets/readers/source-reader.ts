// Opens any supported data file by its extension (and its first bytes when the extension lies).
// It does not handle LLaMA-Factory folders (llamafactory-folder.ts does) nor map records.
import fs from 'node:fs';
import path from 'node:path';
import { errorText, LatheError } from '../../../preload/contract/errors.js';
import { openCsv } from './csv-reader.js';
import { readHead } from './decoded-text.js';
import { openJson } from './json-reader.js';
import { openJsonl } from './jsonl-reader.js';
import { openParquet } from './parquet-reader.js';
import type { OpenedSource, ReadOptions } from './source-types.js';
import { openXlsx } from './xlsx-reader.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const SOURCE_READER_ERROR_CODES = ['err.source.noFile', 'err.source.isFolder', 'err.source.empty', 'err.source.oldXls', 'err.source.unsupported'] as const;
const errText = errorText(SOURCE_READER_ERROR_CODES);

export const SUPPORTED_EXTENSIONS = ['.xlsx', '.csv', '.tsv', '.txt', '.json', '.jsonl', '.parquet'] as const;

export async function openSource(file: string, opts: ReadOptions = {}): Promise<OpenedSource> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    throw new LatheError('not_found', `There is no file at ${file}.`, { file }, errText('err.source.noFile', { file }));
  }
  if (!stat.isFile()) throw new LatheError('bad_input', `${file} is a folder, not a data file. To import a LLaMA-Factory data folder use “import-llamafactory”.`, { file }, errText('err.source.isFolder', { file }));
  if (stat.size === 0) throw new LatheError('bad_input', `${file} is empty.`, { file }, errText('err.source.empty', { file }));
  const ext = path.extname(file).toLowerCase();
  const head = await readHead(file, 8);
  const zip = head[0] === 0x50 && head[1] === 0x4b;
  const par = head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31;
  if (ext === '.xls') throw new LatheError('unsupported', `${file} is an old-style .xls workbook. Open it in Excel or LibreOffice and save it as .xlsx, then import that.`, { file }, errText('err.source.oldXls', { file }));
  if (ext === '.xlsx' || ext === '.xlsm' || (zip && !['.json', '.jsonl'].includes(ext))) return openXlsx(file, opts);
  if (ext === '.parquet' || par) return openParquet(file, opts);
  if (ext === '.jsonl' || ext === '.ndjson') return openJsonl(file, opts);
  if (ext === '.json') return openJson(file, opts);
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt' || ext === '') return openCsv(file, opts);
  throw new LatheError('unsupported', `Lathe cannot read ${path.basename(file)}: supported files are ${SUPPORTED_EXTENSIONS.join(', ')} and LLaMA-Factory data folders.`, { file }, errText('err.source.unsupported', { name: path.basename(file), supported: SUPPORTED_EXTENSIONS.join(', ') }));
}
