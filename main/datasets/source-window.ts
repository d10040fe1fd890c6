// Rows of a source file further down than the cached sample: from the n-th row as read, or from a row number as a
// person sees it (a problem's row), streaming the file up to there. Maps nothing itself (previewSample does) and
// keeps nothing between calls.
import type { ReaderOptions } from '../../preload/contract/datasets.js';
import { throwIfAborted } from './readers/decoded-text.js';
import { openSource } from './readers/source-reader.js';
import type { SourceItem } from './readers/source-types.js';
import { SAMPLE_ROWS, toReadOptions, type SourceSample } from './source-sample.js';

export type WindowStart = { readonly offset: number; readonly fromRow?: undefined } | { readonly offset?: undefined; readonly fromRow: number };

/** `limit` items from `start` when the sample holds them (or holds the whole file); else undefined. */
export function windowFromSample(sample: SourceSample, start: WindowStart, limit: number): SourceItem[] | undefined {
  const items = sample.items;
  const complete = items.length < SAMPLE_ROWS;
  const first = start.fromRow === undefined ? start.offset : items.findIndex((i) => i.row >= start.fromRow);
  if (first === -1) return complete ? [] : undefined;
  if (first + limit <= items.length || complete) return items.slice(first, first + limit);
  return undefined;
}

/** Streams the file to the window: one pass, stopping as soon as `limit` items are in. */
export async function readWindow(file: string, options: ReaderOptions, start: WindowStart, limit: number, signal?: AbortSignal): Promise<SourceItem[]> {
  const src = await openSource(file, toReadOptions(options, signal ? { signal } : {}));
  const out: SourceItem[] = [];
  let seen = 0;
  const wanted = (item: SourceItem) => (start.fromRow === undefined ? seen++ >= start.offset : item.row >= start.fromRow);
  const batches = src.recordBatches ? src.recordBatches() : oneByOne(src.records());
  try {
    for await (const batch of batches) {
      throwIfAborted(signal);
      for (const item of batch) {
        if (!wanted(item)) continue;
        out.push(item);
        if (out.length >= limit) return out;
      }
    }
  } finally {
    await batches.return(undefined);
  }
  return out;
}

async function* oneByOne(items: AsyncGenerator<SourceItem>): AsyncGenerator<readonly SourceItem[]> {
  const batch: SourceItem[] = [];
  try {
    for await (const item of items) {
      batch.push(item);
      if (batch.length === 1000) yield batch.splice(0);
    }
    if (batch.length) yield batch;
  } finally {
    await items.return(undefined);
  }
}
