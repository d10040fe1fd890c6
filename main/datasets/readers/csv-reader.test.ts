import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCsv } from './csv-reader.js';
import type { SourceItem } from './source-types.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lathe-csv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, data: string | Buffer): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, data);
  return f;
}

async function all(file: string, opts = {}) {
  const src = await openCsv(file, opts);
  const items: SourceItem[] = [];
  for await (const r of src.records()) items.push(r);
  return { src, items, records: items.filter((i) => i.type === 'record') };
}

describe('csv reader', () => {
  it('strips the BOM, finds the header under a title, keeps quoted multi-line fields, numbers rows like a spreadsheet', async () => {
    const f = write('a.csv', '\ufeffTitle: demo export\n\nid,question,answer\n1,"hello\nworld","ok, fine"\n\n2,你好,"say ""hi"""\n\n\n');
    const { src, records, items } = await all(f);
    expect(src.encoding?.encoding).toBe('utf-8');
    expect(src.encoding?.reason).toBe('bom');
    expect(src.columns).toEqual(['id', 'question', 'answer']);
    expect(src.headerRow).toBe(3);
    expect(src.delimiter).toBe(',');
    expect(records.map((r) => r.row)).toEqual([4, 6]);
    expect(records[0]).toMatchObject({ values: { id: '1', question: 'hello\nworld', answer: 'ok, fine' } });
    expect(records[1]).toMatchObject({ values: { question: '你好', answer: 'say "hi"' } });
    expect(src.stats.blankRows).toBe(1);
    expect(items.filter((i) => i.type === 'problem')).toEqual([]);
  });

  it('sniffs tabs and semicolons and CRLF line endings', async () => {
    const t = await all(write('b.tsv', 'q\ta\r\nx,1\ty;2\r\n'));
    expect(t.src.delimiter).toBe('\t');
    expect(t.records[0]!.values).toEqual({ q: 'x,1', a: 'y;2' });
    const s = await all(write('c.txt', 'q;a;n\n"a;b";c;1\nd;e;2\n'));
    expect(s.src.delimiter).toBe(';');
    expect(s.records.map((r) => r.values['q'])).toEqual(['a;b', 'd']);
  });

  it.each([
    ['utf-16le', (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]), 'bom'],
    ['utf-16be', (s: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(s, 'utf16le').swap16()]), 'bom'],
  ])('reads %s', async (enc, encode, reason) => {
    const { src, records } = await all(write(`${enc}.csv`, encode('问题,回答\n你好吗,我很好\n')));
    expect(src.encoding).toMatchObject({ encoding: enc, reason });
    expect(records[0]!.values).toEqual({ 问题: '你好吗', 回答: '我很好' });
  });

  it('reads UTF-16 LE without a BOM', async () => {
    const { src, records } = await all(write('u16.csv', Buffer.from('question,answer\nhow are you,fine\n', 'utf16le')));
    expect(src.encoding?.encoding).toBe('utf-16le');
    expect(records[0]!.values['answer']).toBe('fine');
  });

  it('reports an unterminated quote with its row', async () => {
    const { items } = await all(write('bad.csv', 'q,a\n1,2\n3,"never closed\n4,5\n'));
    expect(items.find((i) => i.type === 'problem')).toMatchObject({ row: 3, code: 'dataset.unclosedQuote', params: {} });
  });

  it('reads a file larger than one chunk with records that straddle chunk boundaries', async () => {
    const lines = ['id,text'];
    for (let i = 0; i < 30000; i++) lines.push(`${i},"第${i}行\n第二行, 带逗号 ""引号"" ${'x'.repeat(i % 50)}"`);
    const { records } = await all(write('big.csv', lines.join('\r\n') + '\r\n'));
    expect(records.length).toBe(30000);
    expect(records[29999]!.row).toBe(30001);
    expect(records[12345]!.values['text']).toBe(`第12345行\n第二行, 带逗号 "引号" ${'x'.repeat(12345 % 50)}`);
  });

  it('honours an encoding override', async () => {
    const gbk = Buffer.from([0xce, 0xca, 0xcc, 0xe2, 0x2c, 0x61, 0x0a, 0xc4, 0xe3, 0xba, 0xc3, 0x2c, 0x62, 0x0a]); // 问题,a / 你好,b in GBK
    const { src, records } = await all(write('gbk.csv', gbk), { encoding: 'GBK' });
    expect(src.encoding).toMatchObject({ encoding: 'gbk', reason: 'user' });
    expect(records[0]!.values).toEqual({ 问题: '你好', a: 'b' });
  });
});

describe('csv reader, legacy encodings', () => {
  it('decodes Windows-1252 punctuation by its real table', async () => {
    const { encodeLegacy } = await import('../../../test/fixtures/datasets/legacy-encode.js');
    const f = write('w.csv', encodeLegacy('q,a\n“Où?”,Déjà — ok €5\n', 'windows-1252'));
    const { src, records } = await all(f);
    expect(src.encoding?.encoding).toBe('windows-1252');
    expect(records[0]!.values).toEqual({ q: '“Où?”', a: 'Déjà — ok €5' });
  });

  it.each(['gb18030', 'big5', 'shift_jis'])('detects and decodes %s', async (enc) => {
    const { encodeLegacy } = await import('../../../test/fixtures/datasets/legacy-encode.js');
    const text = enc === 'shift_jis' ? '質問,回答\nいつ届きますか？,商品は発送済みです。\n' : enc === 'big5' ? '問題,回覆\n請問什麼時候能到？,您的訂單已經發出。\n' : '问题,回复\n请问什么时候能到？,您的订单已经发出。\n';
    const { src, records } = await all(write(`${enc}.csv`, encodeLegacy(text, enc)));
    expect(src.encoding?.encoding).toBe(enc);
    const [header, row] = text.trim().split('\n').map((l) => l.split(','));
    expect(records[0]!.values).toEqual({ [header![0]!]: row![0], [header![1]!]: row![1] });
  });
});

describe('header detection', () => {
  it('finds a header with unnamed columns below a title', async () => {
    const { detectHeaderIndex } = await import('./header-detector.js');
    const long = 'x'.repeat(120);
    const rows = [
      { row: 1, cells: ['Ticket export 2024'] },
      { row: 3, cells: ['id', 'question', 'answer', null, null, null, null] },
      { row: 4, cells: [1, long, long, 5, 6, 7, 8] },
      { row: 5, cells: [2, long, long, 5, 6, 7, 8] },
    ];
    expect(detectHeaderIndex(rows)).toBe(1);
    expect(detectHeaderIndex([{ row: 1, cells: ['Title'] }, { row: 2, cells: ['q', 'a'] }, { row: 3, cells: ['x', 'y'] }])).toBe(1);
    expect(detectHeaderIndex([{ row: 1, cells: [1, 2] }, { row: 2, cells: [3, 4] }])).toBe(0);
  });
});

describe('plain text files', () => {
  it('reads a .txt that is not a table as one text record per line', async () => {
    const { src, records } = await all(write('wiki.txt', 'Anarchism is a political philosophy.\n\nIt is sceptical of authority.\r\nLast line without newline'));
    expect(src.columns).toEqual(['text']);
    expect(records.map((r) => [r.row, r.values['text']])).toEqual([
      [1, 'Anarchism is a political philosophy.'],
      [3, 'It is sceptical of authority.'],
      [4, 'Last line without newline'],
    ]);
    expect(src.stats.blankRows).toBe(1);
  });

  it('still reads a tab-separated .txt as a table', async () => {
    const { src } = await all(write('t.txt', 'q\ta\nx\ty\n'));
    expect(src.columns).toEqual(['q', 'a']);
  });
});

describe('csv reader options', () => {
  it('honours Excel’s sep= hint line and a header row override', async () => {
    const hinted = await all(write('hint.csv', 'sep=;\nq;a\nx,1;y\n'));
    expect(hinted.src.delimiter).toBe(';');
    expect(hinted.src.columns).toEqual(['q', 'a']);
    expect(hinted.records[0]!.values).toEqual({ q: 'x,1', a: 'y' });
    const f = write('override.csv', 'id,name\nquestion,answer\nq1,a1\n');
    const o = await all(f, { headerRow: 2 });
    expect(o.src.headerRow).toBe(2);
    expect(o.src.columns).toEqual(['question', 'answer']);
    expect(o.records.map((r) => [r.row, r.values['answer']])).toEqual([[3, 'a1']]);
  });
});

describe('csv records', () => {
  it('builds each row’s values as the column-by-column loop did: short rows, extra cells, odd column names', async () => {
    const { src, records } = await all(write('shapes.csv', 'b,2,"a ""q""",x\n1,2,3,4\n5,6\n7,8,9,10,11,\n12,13,14,15\n'));
    expect(src.columns).toEqual(['b', '2', 'a "q"', 'x', 'Column E']);
    expect(records.map((r) => Object.entries(r.values))).toEqual([
      [['2', '2'], ['b', '1'], ['a "q"', '3'], ['x', '4']],
      [['2', '6'], ['b', '5'], ['a "q"', null], ['x', null]],
      [['2', '8'], ['b', '7'], ['a "q"', '9'], ['x', '10'], ['Column E', '11']],
      [['2', '13'], ['b', '12'], ['a "q"', '14'], ['x', '15'], ['Column E', null]],
    ]);
    const proto = await all(write('proto.csv', '__proto__,q\nx,y\n'));
    expect(Object.getPrototypeOf(proto.records[0]!.values)).toBe(Object.prototype);
    expect(proto.records[0]!.values).toEqual({ q: 'y' });
  });
});
