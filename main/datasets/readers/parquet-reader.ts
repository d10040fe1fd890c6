// Reader for .parquet files, one row group at a time (hyparquet), so memory is bounded by the largest row group.
// Rows are numbered from 1. It does not write parquet.
import fs from 'node:fs';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { LatheError } from '../../../preload/contract/errors.js';
import { throwIfAborted } from './decoded-text.js';
import type { CellValue, OpenedSource, ReadOptions, SourceItem } from './source-types.js';
import { isoDate } from './xlsx-cell.js';

export async function openParquet(file: string, opts: ReadOptions = {}): Promise<OpenedSource> {
  const size = (await fs.promises.stat(file)).size;
  const buffer = await asyncBufferFromFile(file);
  let metadata;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (err) {
    throw new LatheError('bad_input', `${file} is not a readable Parquet file (${(err as Error).message}).`, { file });
  }
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  let consumed = false;
  return {
    file,
    format: 'parquet',
    size,
    columns,
    stats: { blankRows: 0 },
    async *records(): AsyncGenerator<SourceItem> {
      if (consumed) throw new Error('records() can be iterated once');
      consumed = true;
      let rowStart = 0;
      let bytes = 0;
      for (const group of metadata.row_groups) {
        throwIfAborted(opts.signal);
        const rowEnd = rowStart + Number(group.num_rows);
        const rows = await parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd });
        bytes += Number(group.total_compressed_size ?? group.total_byte_size);
        opts.onProgress?.(Math.min(bytes, size));
        for (let i = 0; i < rows.length; i++) {
          const values: Record<string, CellValue> = {};
          for (const [k, v] of Object.entries(rows[i]!)) values[k] = plain(v);
          yield { type: 'record', row: rowStart + i + 1, values };
        }
        rowStart = rowEnd;
      }
    },
  };
}

/** Parquet values as JSON-safe values: BigInt as number (or text when too large), dates as ISO, bytes as UTF-8. */
function plain(v: unknown): CellValue {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return isoDate(v);
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v as CellValue;
}
