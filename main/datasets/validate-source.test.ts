import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Mapping } from '../../preload/contract/datasets.js';
import { encodeLegacy } from '../../test/fixtures/datasets/legacy-encode.js';
import { tempHome } from '../../test/helpers/temp-home.js';
import { sampleSource } from './source-sample.js';
import { validateSource } from './validate-source.js';

const home = tempHome();
afterAll(() => home.cleanup());
const write = (name: string, data: string | Buffer) => {
  const f = path.join(home.dir, name);
  fs.writeFileSync(f, data);
  return f;
};
const mapping: Mapping = { shape: 'single', fields: { instruction: { columns: ['question'] }, output: { columns: ['answer'] } } };

describe('validate source', () => {
  it('flags mojibake when a UTF-8 file is read with the wrong encoding, and not with the right one', async () => {
    const f = write('cafe.csv', 'question,answer\nIs the café open?,Yes — until 8\nWhere?,Main street\n');
    const wrong = await validateSource(f, { encoding: 'windows-1252' }, mapping);
    expect(wrong.mojibakeRows).toEqual([2]);
    const right = await validateSource(f, {}, mapping);
    expect(right.mojibakeRows).toEqual([]);
  });

  it('shows the detected encoding and delimiter, and honours a user override', async () => {
    const f = write('gbk.tsv', encodeLegacy('question\tanswer\n请问什么时候发货？\t今天发货。\n', 'gbk'));
    const s = await sampleSource(f, {});
    expect(s.inspection).toMatchObject({ format: 'tsv', encoding: 'gb18030', encodingReason: 'heuristic', delimiter: '\t', columns: ['question', 'answer'] });
    const o = await sampleSource(f, { encoding: 'big5' });
    expect(o.inspection).toMatchObject({ encoding: 'big5', encodingReason: 'user' });
  });

  it('refuses an unknown encoding name with the supported list', async () => {
    const f = write('x.csv', 'question,answer\na,b\n');
    await expect(sampleSource(f, { encoding: 'ebcdic-9' })).rejects.toMatchObject({ code: 'bad_input', message: expect.stringContaining('gb18030') });
  });

  it('counts unreadable lines, duplicates and empty cells over the whole file', async () => {
    const f = write('d.jsonl', ['{"question":"a","answer":"b"}', '{"question":"a","answer":"b"}', '{"question":"a ","answer":"b"}', 'nope', '{"question":"","answer":"c"}'].join('\n'));
    const r = await validateSource(f, {}, mapping);
    expect(r).toMatchObject({ rows: 5, validRows: 3, exactDuplicates: 1, normalisedDuplicates: 1, problemCount: 2 });
    expect(r.problems.map((p) => [p.row, p.column ?? null])).toEqual([[4, null], [5, 'question']]);
  });
});
