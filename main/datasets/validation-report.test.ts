import { describe, expect, it } from 'vitest';
import type { Mapping } from '../../preload/contract/datasets.js';
import { DuplicateIndex } from './duplicate-index.js';
import { looksLikeMojibake } from './mojibake-detector.js';
import { RecordMapper } from './record-mapper.js';
import { ValidationAccumulator } from './validation-report.js';

const mapping: Mapping = { shape: 'single', fields: { instruction: { columns: ['q'] }, output: { columns: ['a'] } } };

describe('validation report', () => {
  it('counts problems, duplicates (exact and whitespace-only), mojibake and column statistics', () => {
    const acc = new ValidationAccumulator(mapping, ['q', 'a']);
    const mapper = new RecordMapper(mapping);
    const rows = [
      { q: 'Where is my order?', a: 'Shipped.' },
      { q: 'Where is my order?', a: 'Shipped.' },
      { q: ' Where  is my\n  order? ', a: 'Shipped.' },
      { q: '', a: 'orphan answer' },
      { q: 'CafÃ© open?', a: 'Yes' },
    ];
    const oks = rows.map((v, i) => acc.check(i + 2, v, mapper.map(v)).ok);
    acc.unreadable({ type: 'problem', row: 9, message: 'Line 9 is not valid JSON: x', code: 'dataset.lineNotJson', params: { line: 9, detail: 'x' } });
    const r = acc.finish(1);
    expect(oks).toEqual([true, true, true, false, true]);
    expect(r).toMatchObject({ rows: 6, validRows: 4, blankRows: 1, problemCount: 2, exactDuplicates: 1, normalisedDuplicates: 1, duplicatePairs: [[3, 2], [4, 2]], mojibakeRows: [6] });
    expect(r.problems).toEqual([
      { row: 5, column: 'q', message: 'Empty instruction.', code: 'dataset.emptyField', params: { field: 'instruction' } },
      { row: 9, message: 'Line 9 is not valid JSON: x', code: 'dataset.lineNotJson', params: { line: 9, detail: 'x' } },
    ]);
    expect(r.columns[0]).toEqual({ column: 'q', empty: 1, minLength: 11, maxLength: 23, meanLength: 17.5 });
  });

  it('spots common mojibake and leaves clean text alone', () => {
    expect(looksLikeMojibake('Itâ€™s fine')).toBe(true);
    expect(looksLikeMojibake('锟斤拷')).toBe(true);
    expect(looksLikeMojibake('It’s fine — café, 你好，日本語')).toBe(false);
  });

  it('keeps a duplicate index over many rows', () => {
    const idx = new DuplicateIndex();
    for (let i = 0; i < 200_000; i++) expect(idx.add(i * 7919 + 13, i, i)).toBeNull();
    expect(idx.add(5 * 7919 + 13, 5, 999_999)).toEqual({ row: 5, kind: 'exact' });
    expect(idx.add(6 * 7919 + 13, 0, 999_999)).toEqual({ row: 6, kind: 'normalised' });
  });
});

describe('normalised hash', () => {
  it('ignores whitespace runs and padding but not case or content', async () => {
    const { normalisedHash } = await import('./content-hash.js');
    const h = (o: unknown) => normalisedHash(JSON.stringify(o));
    expect(h({ a: 'Hello  world ' })).toBe(h({ a: 'Hello world' }));
    expect(h({ a: 'Hello\n\tworld' })).toBe(h({ a: 'Hello world' }));
    expect(h({ a: 'Hello world' })).not.toBe(h({ a: 'Helloworld' }));
    expect(h({ a: 'Hello world' })).not.toBe(h({ a: 'hello world' }));
  });
});
