import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeParquet } from '../../../test/fixtures/datasets/parquet-writer.js';
import { openSource } from './source-reader.js';
import type { SourceItem } from './source-types.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lathe-obj-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
function write(name: string, data: string | Buffer): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, data);
  return f;
}
async function all(file: string) {
  const src = await openSource(file);
  const items: SourceItem[] = [];
  for await (const r of src.records()) items.push(r);
  return { src, items, records: items.flatMap((i) => (i.type === 'record' ? [i] : [])), problems: items.filter((i) => i.type === 'problem') };
}

describe('json reader', () => {
  it('streams an array of objects, numbering rows index + 1, with nested values', async () => {
    const data = [{ instruction: 'a', output: 'b' }, { instruction: 'c [x] {y} "q"', output: 'd', history: [['h', 'i']] }];
    const { src, records } = await all(write('a.json', JSON.stringify(data, null, 2)));
    expect(src.format).toBe('json');
    expect(src.columns).toEqual(['instruction', 'output', 'history']);
    expect(records.map((r) => r.row)).toEqual([1, 2]);
    expect(records[1]!.values).toEqual(data[1]);
  });

  it('reports items that are not objects and keeps the rest', async () => {
    const { records, problems } = await all(write('b.json', '[{"a":1}, 42, {"a":2}]'));
    expect(records.map((r) => r.values['a'])).toEqual([1, 2]);
    expect(problems).toEqual([{ type: 'problem', row: 2, message: 'Item 2: Expected an object with named fields, found number.', code: 'dataset.itemNotObject', params: { row: 2, found: 'number' } }]);
  });

  it('handles elements split across many chunks', async () => {
    const big = Array.from({ length: 5000 }, (_, i) => ({ q: `问题 ${i} ${'长'.repeat(i % 300)}`, a: `answer ${i}\n"quoted" ]` }));
    const { records } = await all(write('c.json', JSON.stringify(big)));
    expect(records.length).toBe(5000);
    expect(records[4321]!.values).toEqual(big[4321]);
  });

  it.each([
    ['an object', '{"a": 1}', /not an array/],
    ['a cut-off array', '[{"a": 1}, {"a": ', /cut off/],
    ['an empty file', '', /empty/],
  ])('refuses %s with the file name', async (_, text, msg) => {
    const f = write(`bad-${text.length}.json`, text);
    await expect(all(f)).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(msg) });
    await expect(all(f)).rejects.toThrow(f);
  });
});

describe('jsonl reader', () => {
  it('reports each bad line with its line number and imports the rest', async () => {
    const f = write('a.jsonl', '{"q":"one"}\n\nnot json\n{"q":"two"}\r\n[1,2]\n{"q":"three","extra":1}');
    const { records, problems, src } = await all(f);
    expect(records.map((r) => [r.row, r.values['q']])).toEqual([[1, 'one'], [4, 'two'], [6, 'three']]);
    expect(problems.map((p) => p.row)).toEqual([3, 5]);
    expect(problems[0]).toMatchObject({ message: expect.stringMatching(/Line 3 is not valid JSON/), code: 'dataset.lineNotJson', params: { line: 3 } });
    expect(problems[1]).toMatchObject({ message: 'Line 5: Expected an object with named fields, found a list.', code: 'dataset.lineNotObject', params: { line: 5, found: 'list' } });
    expect(src.columns).toEqual(['q', 'extra']);
    expect(src.stats.blankRows).toBe(1);
  });
});

describe('parquet reader', () => {
  it('reads every row group with rows numbered from 1', async () => {
    const f = path.join(dir, 't.parquet');
    writeParquet(f, [{ name: 'id', type: 'int64' }, { name: 'question', type: 'string' }, { name: 'answer', type: 'string' }], [
      [[1, '你好', 'hi'], [2, 'where?', 'here']],
      [[3, 'q3', 'a3']],
    ]);
    const { src, records } = await all(f);
    expect(src.format).toBe('parquet');
    expect(src.columns).toEqual(['id', 'question', 'answer']);
    expect(records.map((r) => r.row)).toEqual([1, 2, 3]);
    expect(records[0]!.values).toEqual({ id: 1, question: '你好', answer: 'hi' });
    expect(records[2]!.values).toEqual({ id: 3, question: 'q3', answer: 'a3' });
  });

  it('refuses a file that is not parquet', async () => {
    await expect(all(write('x.parquet', 'PAR1 nope'))).rejects.toMatchObject({ code: 'bad_input' });
  });
});

describe('source reader', () => {
  it('refuses .xls and unknown extensions with what to do', async () => {
    await expect(openSource(write('old.xls', 'x'))).rejects.toMatchObject({ code: 'unsupported', message: expect.stringMatching(/save it as \.xlsx/) });
    await expect(openSource(write('a.pdf', 'x'))).rejects.toMatchObject({ code: 'unsupported' });
    await expect(openSource(path.join(dir, 'missing.csv'))).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('files that are not data', () => {
  it('refuses empty and binary files by name', async () => {
    await expect(openSource(write('empty.csv', ''))).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(/empty\.csv is empty/) });
    await expect(openSource(write('bin.csv', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0])))).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(/binary file/) });
  });
});
