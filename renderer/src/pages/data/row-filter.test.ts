import { describe, expect, it } from 'vitest';
import type { DatasetRowDto, NormalisedRecord } from '../../../../preload/contract/datasets.js';
import { rowFilter } from './row-filter.js';

const row = (idx: number, record: NormalisedRecord, patch: Partial<DatasetRowDto> = {}): DatasetRowDto => ({ idx, sourceRow: idx + 2, record, original: record, edited: false, excluded: false, split: 'train', ...patch });
const q = (instruction: string, output: string): NormalisedRecord => ({ kind: 'single', instruction, output });
const rows = [
  row(0, q('怎么退款', '联系客服')),
  row(1, q('怎么退款', '联系客服')),
  row(2, q('发票', ''), { edited: true }),
  row(3, q('Refund?', 'Contact us'), { excluded: true, split: 'validation' }),
  row(4, q('怎么退款', '联系客服'), { split: 'validation' }),
];
const keep = (filter: Parameters<typeof rowFilter>[0], query = '') => rows.filter(rowFilter(filter, query)).map((r) => r.idx);

describe('row filter', () => {
  it('keeps rows by state and split', () => {
    expect(keep('all')).toEqual([0, 1, 2, 3, 4]);
    expect(keep('excluded')).toEqual([3]);
    expect(keep('edited')).toEqual([2]);
    expect(keep('validation')).toEqual([4]);
    expect(keep('train')).toEqual([0, 1, 2]);
  });

  it('finds empty answers and later copies of earlier rows, combined with the search', () => {
    expect(keep('problems')).toEqual([2]);
    expect(keep('duplicates')).toEqual([1, 4]);
    expect(keep('duplicates', 'refund')).toEqual([]);
    expect(keep('all', '退款')).toEqual([0, 1, 4]);
  });
});
