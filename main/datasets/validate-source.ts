// The validation report for a whole source file under a mapping, before anything is saved (one streaming pass).
// It writes nothing; the import pipeline repeats the same checks while it writes.
import type { Mapping, ReaderOptions, ValidationReport } from '../../preload/contract/datasets.js';
import { RecordMapper } from './record-mapper.js';
import { throwIfAborted } from './readers/decoded-text.js';
import { openSource } from './readers/source-reader.js';
import { toReadOptions } from './source-sample.js';
import { ValidationAccumulator } from './validation-report.js';

export async function validateSource(
  file: string,
  options: ReaderOptions,
  mapping: Mapping,
  hooks: { signal?: AbortSignal; onProgress?: (bytesRead: number, totalBytes: number, rows: number) => void } = {},
): Promise<ValidationReport> {
  let rows = 0;
  let size = 0;
  const src = await openSource(file, toReadOptions(options, { ...(hooks.signal ? { signal: hooks.signal } : {}), onProgress: (b) => hooks.onProgress?.(b, size, rows) }));
  size = src.size;
  const acc = new ValidationAccumulator(mapping, src.columns);
  const mapper = new RecordMapper(mapping);
  for await (const item of src.records()) {
    if ((++rows & 4095) === 0) throwIfAborted(hooks.signal);
    if (item.type === 'problem') acc.unreadable(item);
    else acc.check(item.row, item.values, mapper.map(item.values));
  }
  return acc.finish(src.stats.blankRows);
}
