import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReaderOptions } from '../../preload/contract/datasets.js';
import { bundledWorker } from '../../test/helpers/bundled-worker.js';
import { tempHome } from '../../test/helpers/temp-home.js';
import { readSourceWindow, RowIndexCache, type WindowRequest } from './indexed-window.js';
import { buildRowOffsetIndex } from './row-offset-index.js';
import { sampleSource } from './source-sample.js';
import { readWindow } from './source-window.js';
import { SourceWindowThread } from './source-window-thread.js';

let home: ReturnType<typeof tempHome>;
beforeAll(() => {
  home = tempHome();
});
afterAll(() => home.cleanup());

/** A deterministic pseudo-random generator (tests must not flake). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function csvText(rows: number, o: { newline: string; delimiter: string; seed: number }): string {
  const r = rng(o.seed);
  const cell = (i: number) => {
    const x = r();
    if (x < 0.1) return `"multi${o.newline}line ${i}"`;
    if (x < 0.2) return `"quoted ""${i}"" with ${o.delimiter} inside"`;
    if (x < 0.3) return `5" screen ${i}`;
    if (x < 0.35) return '';
    if (x < 0.4) return `中文 ${i} ✓`;
    return `plain ${i}`;
  };
  const lines = [`q${o.delimiter}a`];
  for (let i = 0; i < rows; i++) {
    const x = r();
    if (x < 0.02) lines.push('');
    else if (x < 0.04) lines.push([cell(i), cell(i), 'extra'].join(o.delimiter));
    else lines.push([cell(i), cell(i)].join(o.delimiter));
  }
  return lines.join(o.newline) + (o.seed % 2 ? o.newline : '');
}

async function compare(file: string, options: ReaderOptions, rows: number[], every = 50) {
  const sample = await sampleSource(file, options);
  const cache = new RowIndexCache(8, every);
  const routes = new Set<string>();
  for (const fromRow of rows) {
    const req: WindowRequest = { file, options, inspection: sample.inspection, start: { fromRow }, limit: 7 };
    const got = await readSourceWindow(req, cache);
    routes.add(got.route);
    expect(got.items, `from row ${fromRow}`).toEqual(await readWindow(file, options, { fromRow }, 7));
  }
  return routes;
}

describe('reading a window from the row offset index', () => {
  const jumps = [1, 2, 3, 49, 50, 51, 52, 100, 101, 333, 777, 1499, 1500, 1501, 1999, 2000, 2001, 2002, 2003, 9999];

  for (const [name, o] of [
    ['csv, LF', { newline: '\n', delimiter: ',', seed: 1 }],
    ['csv, CRLF', { newline: '\r\n', delimiter: ',', seed: 2 }],
    ['csv, CR, no final line ending', { newline: '\r', delimiter: ',', seed: 4 }],
    ['tsv', { newline: '\n', delimiter: '\t', seed: 3 }],
  ] as const) {
    it(`gives the reader's own rows (${name})`, async () => {
      const file = path.join(home.dir, `t-${o.seed}.${o.delimiter === '\t' ? 'tsv' : 'csv'}`);
      fs.writeFileSync(file, csvText(2000, o));
      expect(await compare(file, {}, jumps)).toEqual(new Set(['streamed', 'indexed']));
    });
  }

  it('gives the reader’s own lines of jsonl, bad lines included', async () => {
    const file = path.join(home.dir, 'l.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 1500; i++) lines.push(i % 97 === 0 ? '{bad json' : i % 89 === 0 ? '' : i % 101 === 0 ? '[1,2]' : JSON.stringify({ q: `q ${i}\n`, a: `a ${i} 中文` }));
    fs.writeFileSync(file, lines.join('\n'));
    expect(await compare(file, {}, [1, 51, 97, 98, 500, 1000, 1455, 1500, 1501])).toEqual(new Set(['indexed']));
  });

  it('stops indexing at text the reader reads leniently and streams past it', async () => {
    const file = path.join(home.dir, 'lenient.csv');
    const lines = ['q,a'];
    for (let i = 0; i < 20_000; i++) lines.push(i === 15_000 ? '"closed"then more,x' : `question ${i},answer ${i}`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const index = await buildRowOffsetIndex(file, { kind: 'csv', delimiter: ',', newline: '\n' }, undefined, 50);
    // Rows 1, 51, …, 15001 are indexed; the index stops in row 15002.
    expect(index.offsets.length).toBe(301);
    expect(await compare(file, {}, [120, 14_990, 15_002, 15_003, 18_000, 20_001])).toEqual(new Set(['indexed', 'streamed']));
  });

  it('indexes a file once, by its fingerprint, at offsets where rows start', async () => {
    const file = path.join(home.dir, 'offsets.csv');
    const text = csvText(500, { newline: '\n', delimiter: ',', seed: 8 });
    fs.writeFileSync(file, text);
    const index = await buildRowOffsetIndex(file, { kind: 'csv', delimiter: ',', newline: '\n' }, undefined, 100);
    const bytes = fs.readFileSync(file);
    expect(index.sha256).toBe((await import('node:crypto')).createHash('sha256').update(bytes).digest('hex'));
    expect(index.offsets[0]).toBe(0);
    // Every indexed row starts just after a line ending.
    for (const off of index.offsets.slice(1)) expect(bytes[off - 1]).toBe(0x0a);
  });
});

describe('the window reading worker', () => {
  it('reads in a worker; a later jump in the same file cancels the one still running', async () => {
    const file = path.join(home.dir, 'big.csv');
    const lines = ['q,a'];
    for (let i = 0; i < 60_000; i++) lines.push(`question ${i},answer ${i}`);
    fs.writeFileSync(file, lines.join('\n'));
    const inspection = (await sampleSource(file, {})).inspection;
    const thread = new SourceWindowThread(await bundledWorker('main/datasets/source-window-worker.ts'));
    try {
      const req = (fromRow: number): WindowRequest => ({ file, options: {}, inspection, start: { fromRow }, limit: 2 });
      const first = thread.read(req(59_000));
      const second = thread.read(req(60_001));
      await expect(first).rejects.toMatchObject({ code: 'cancelled' });
      const r = await second;
      expect(r.items).toEqual([{ type: 'record', row: 60_001, values: { q: 'question 59999', a: 'answer 59999' } }]);
      // The index is kept: the next jump reads from the nearest indexed row.
      const again = await thread.read(req(30_000));
      expect(again.route).toBe('indexed');
      expect(again.items.map((i) => i.row)).toEqual([30_000, 30_001]);
    } finally {
      thread.dispose();
    }
  });

  it('an aborted read stops with cancelled', async () => {
    const file = path.join(home.dir, 'big.csv');
    const ac = new AbortController();
    ac.abort();
    const inspection = (await sampleSource(file, {})).inspection;
    await expect(readSourceWindow({ file, options: {}, inspection, start: { fromRow: 50_000 }, limit: 1 }, new RowIndexCache(), ac.signal)).rejects.toMatchObject({ code: 'cancelled' });
  });
});
