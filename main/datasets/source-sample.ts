// Inspection of a source file: what the reader understood (format, encoding, sheets, header, columns), its first
// rows, and the suggested mapping; plus a small cache so previews after a mapping change need no file access.
import fs from 'node:fs';
import path from 'node:path';
import type { Mapping, PreviewResult, ReaderOptions, SourceInspection } from '../../preload/contract/datasets.js';
import { LatheError } from '../../preload/contract/errors.js';
import { suggestMapping } from './mapping-suggester.js';
import { mappedColumns, RecordMapper } from './record-mapper.js';
import { validateRecord } from './record-validator.js';
import { normaliseEncoding } from './readers/encoding-detector.js';
import { openSource } from './readers/source-reader.js';
import type { OpenedSource, ReadOptions, SourceItem, SourceRecord } from './readers/source-types.js';
import { listSheets } from './readers/xlsx-reader.js';

export const SAMPLE_ROWS = 200;

export interface SourceSample {
  readonly inspection: SourceInspection;
  readonly items: readonly SourceItem[];
}

/** Reader options from the contract's, with the encoding label checked. */
export function toReadOptions(o: ReaderOptions, extra: Partial<ReadOptions> = {}): ReadOptions {
  let encoding: string | undefined;
  try {
    encoding = o.encoding ? normaliseEncoding(o.encoding) : undefined;
  } catch (err) {
    throw new LatheError('bad_input', (err as Error).message, { encoding: o.encoding });
  }
  return { ...(encoding ? { encoding } : {}), ...(o.sheet ? { sheet: o.sheet } : {}), ...(o.headerRow ? { headerRow: o.headerRow } : {}), ...extra };
}

export function describeSource(src: OpenedSource) {
  return {
    format: src.format,
    encoding: src.encoding?.encoding,
    encodingReason: src.encoding?.reason,
    delimiter: src.delimiter,
    sheet: src.sheet,
    headerRow: src.headerRow,
  };
}

export async function sampleSource(file: string, options: ReaderOptions): Promise<SourceSample> {
  const src = await openSource(file, toReadOptions(options));
  const items: SourceItem[] = [];
  const gen = src.records();
  try {
    for await (const item of gen) {
      items.push(item);
      if (items.length >= SAMPLE_ROWS) break;
    }
  } finally {
    await gen.return(undefined);
  }
  const records = items.filter((i): i is SourceRecord => i.type === 'record');
  const sheets = src.format === 'xlsx' ? await listSheets(file) : undefined;
  const d = describeSource(src);
  const inspection: SourceInspection = {
    file,
    format: d.format,
    size: src.size,
    ...(d.encoding ? { encoding: d.encoding, encodingReason: d.encodingReason } : {}),
    ...(d.delimiter ? { delimiter: d.delimiter } : {}),
    ...(sheets ? { sheets } : {}),
    ...(d.sheet ? { sheet: d.sheet } : {}),
    ...(d.headerRow ? { headerRow: d.headerRow } : {}),
    columns: [...src.columns],
    sampleRows: records.slice(0, 20).map((r) => ({ row: r.row, values: { ...r.values } })),
    suggestion: suggestMapping(src.columns, records.map((r) => r.values)),
  };
  return { inspection, items };
}

/** Maps the cached first rows: no file access, so it answers well within 200 ms of a mapping change. */
export function previewSample(sample: SourceSample, mapping: Mapping, limit: number): PreviewResult {
  const { columns, file } = sample.inspection;
  const missing = mappedColumns(mapping).filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new LatheError('bad_input', `${path.basename(file)} has no column ${missing.map((c) => `“${c}”`).join(', ')}. Its columns are: ${columns.map((c) => `“${c}”`).join(', ')}.`, { file, column: missing[0], columns });
  }
  const mapper = new RecordMapper(mapping);
  const out: PreviewResult['records'] = [];
  for (const item of sample.items) {
    if (out.length >= limit) break;
    if (item.type === 'problem') {
      out.push({ row: item.row, record: null, problems: [{ row: item.row, message: item.message, code: item.code, params: item.params, ...(item.column ? { column: item.column } : {}) }] });
      continue;
    }
    const m = mapper.map(item.values);
    const problems = m.problems.map((p) => ({ row: item.row, message: p.message, code: p.code, params: p.params, ...(p.column ? { column: p.column } : {}) }));
    if (m.record) for (const p of validateRecord(m.record, mapping)) problems.push({ row: item.row, message: p.message, code: p.code, params: p.params, ...(p.column ? { column: p.column } : {}) });
    out.push({ row: item.row, record: m.record, problems });
  }
  return { records: out };
}

/** Keeps the last few samples, keyed by file, its modification time and the reader options. */
export class SampleCache {
  private readonly entries = new Map<string, SourceSample>();
  constructor(private readonly capacity = 8) {}

  async get(file: string, options: ReaderOptions): Promise<SourceSample> {
    const stat = await fs.promises.stat(file).catch(() => null);
    if (!stat) throw new LatheError('not_found', `There is no file at ${file}.`, { file });
    const key = JSON.stringify([file, stat.mtimeMs, stat.size, options.encoding ?? '', options.sheet ?? '', options.headerRow ?? 0]);
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const sample = await sampleSource(file, options);
    this.entries.set(key, sample);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return sample;
  }
}
