import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempHome } from '../../test/helpers/temp-home.js';
import { openWorkspace } from '../workspace/workspace.js';
import { rowFilePath } from './dataset-row-file.js';
import { DatasetsStore } from './datasets-store.js';
import { ProjectsStore } from './projects-store.js';

const home = tempHome();
const ws = openWorkspace(path.join(home.dir, 'ws'));
const store = new DatasetsStore(ws.db);
const projectId = new ProjectsStore(ws.db).create('S').id;
afterAll(() => (ws.close(), home.cleanup()));

const meta = { projectId, name: 'd', sourceName: 'd.csv', sourceSha256: '', sourceSize: 1, format: 'csv', readerOptions: {}, shape: 'single' };
const rowFile = (id: number) => rowFilePath(ws.paths.dbFile, id);
const count = (sql: string, ...args: unknown[]) => (ws.db.prepare(sql).get(...args) as { n: number }).n;

describe('datasets store', () => {
  it("writes an unfinished import's rows into its own file, outside lathe.db's write lock; rollback leaves nothing", () => {
    const w = store.beginImport(meta);
    expect(fs.existsSync(rowFile(w.datasetId))).toBe(false); // opened at the first row
    for (let i = 0; i < 9000; i++) w.add(i + 2, JSON.stringify({ kind: 'text', text: `t${i}` }), i % 7);
    expect(ws.db.inTransaction).toBe(false);
    expect(w.stats.transactions).toBe(0); // no heartbeat within its first seconds
    expect(fs.existsSync(rowFile(w.datasetId))).toBe(true);
    expect(store.list(projectId)).toEqual([]);
    expect(() => store.get(w.datasetId)).toThrow(/no dataset/);
    expect(() => store.rows(w.datasetId, 0, 10)).toThrow(/no dataset/);
    expect(store.importing().map((i) => i.id)).toEqual([w.datasetId]);
    w.rollback();
    expect(store.importing()).toEqual([]);
    expect(fs.existsSync(rowFile(w.datasetId))).toBe(false);
    expect(count('SELECT COUNT(*) AS n FROM datasets')).toBe(0);
  });

  it('publishes in one short transaction once the file is complete, and keeps every row in order', () => {
    const w = store.beginImport(meta);
    for (let i = 0; i < 4250; i++) w.add(i + 2, JSON.stringify({ kind: 'text', text: `t${i}` }), i % 7);
    const d = w.commit(3, 'text', 'abc', { shape: 'text', fields: { text: { columns: ['t'] } } });
    expect(w.stats.transactions).toBe(1); // the publish
    expect(w.stats.publishMs).toBeGreaterThan(0);
    expect(d).toMatchObject({ rowCount: 4250, skippedCount: 3, shape: 'text', sourceSha256: 'abc', mapping: { shape: 'text' } });
    expect(store.list(projectId).map((x) => x.id)).toEqual([d.id]);
    expect(store.rows(d.id, 4248, 10).map((r) => r.source_row)).toEqual([4250, 4251]);
    expect(store.row(d.id, 17)).toEqual({ idx: 17, source_row: 19, record: '{"kind":"text","text":"t17"}', edited_record: null, excluded: 0 });
    expect([...store.iterateRows(d.id)].map((r) => r.idx)).toEqual(Array.from({ length: 4250 }, (_, i) => i));
    expect(store.discardImportChunk(d.id)).toBe(true); // never touches a finished dataset
    expect(store.get(d.id).rowCount).toBe(4250);
    expect(fs.existsSync(rowFile(d.id))).toBe(true);
  });

  it('removes a dataset: hidden at once, its edits a chunk per transaction, then its row and file', () => {
    const w = store.beginImport({ ...meta, name: 'gone' });
    for (let i = 0; i < 6000; i++) w.add(i + 2, JSON.stringify({ kind: 'text', text: `t${i}` }), i % 7);
    const d = w.commit(0, 'text', 'abc', { shape: 'text', fields: { text: { columns: ['t'] } } });
    for (let i = 0; i < 6000; i++) store.exclude(d.id, i, true);
    store.remove(d.id);
    expect(() => store.get(d.id)).toThrow(/no dataset/);
    expect(() => store.remove(d.id)).toThrow(/no dataset/);
    expect(store.removing()).toEqual([d.id]);
    expect(store.importing()).toEqual([]);
    let chunks = 0;
    while (!store.deleteRemovedChunk(d.id)) chunks++;
    expect(chunks).toBe(2); // 6,000 edits: 5,000, then 1,000, then the row and file
    expect(store.removing()).toEqual([]);
    expect(fs.existsSync(rowFile(d.id))).toBe(false);
    expect(count('SELECT COUNT(*) AS n FROM dataset_row_edits WHERE dataset_id = ?', d.id)).toBe(0);
    expect(count('SELECT COUNT(*) AS n FROM mappings WHERE dataset_id = ?', d.id)).toBe(0);
  });

  it('serves the new dataset, not a removed one, when an id comes back', () => {
    const first = store.beginImport({ ...meta, name: 'again' });
    first.add(2, '{"kind":"text","text":"old"}', 0);
    const a = first.commit(0, 'text', 'x', { shape: 'text', fields: { text: { columns: ['t'] } } });
    expect(store.row(a.id, 0).record).toBe('{"kind":"text","text":"old"}'); // its file is kept open now
    store.remove(a.id);
    while (!store.deleteRemovedChunk(a.id));
    const second = store.beginImport({ ...meta, name: 'again' });
    expect(second.datasetId).toBe(a.id); // SQLite hands out the largest id + 1 again
    second.add(2, '{"kind":"text","text":"new"}', 0);
    second.add(3, '{"kind":"text","text":"more"}', 0);
    const b = second.commit(0, 'text', 'y', { shape: 'text', fields: { text: { columns: ['t'] } } });
    expect(store.rows(b.id, 0, 10).map((r) => r.record)).toEqual(['{"kind":"text","text":"new"}', '{"kind":"text","text":"more"}']);
    store.remove(b.id);
    while (!store.deleteRemovedChunk(b.id));
  });

  it('deletes row files no dataset owns, and only those', () => {
    const w = store.beginImport({ ...meta, name: 'live' });
    w.add(2, '{"kind":"text","text":"x"}', 0); // an import writing right now keeps its file
    fs.writeFileSync(rowFile(9999), 'left by a removal Windows would not let finish');
    fs.writeFileSync(`${rowFile(9998)}-journal`, '');
    expect(store.sweepRowFiles()).toEqual([9998, 9999]);
    expect(fs.existsSync(rowFile(9999))).toBe(false);
    expect(fs.existsSync(rowFile(w.datasetId))).toBe(true);
    w.rollback();
  });

  it('says which file is missing when a dataset has lost its rows', () => {
    const w = store.beginImport({ ...meta, name: 'lost' });
    w.add(2, '{"kind":"text","text":"x"}', 0);
    const d = w.commit(0, 'text', 'x', { shape: 'text', fields: { text: { columns: ['t'] } } });
    store.close();
    fs.rmSync(rowFile(d.id));
    expect(() => store.rows(d.id, 0, 1)).toThrow(/rows of dataset \d+ are missing: .*dataset-rows.*does not exist/);
    store.remove(d.id);
    while (!store.deleteRemovedChunk(d.id));
  });

  it('takes the next free name while an import with that name is unfinished', () => {
    const w = store.beginImport(meta);
    const w2 = store.beginImport(meta);
    expect(store.findByName(projectId, 'd (2)')).toBeUndefined(); // unfinished: not found, yet its name is taken
    expect(w2.commit(0, 'text', 'x', { shape: 'text', fields: { text: { columns: ['t'] } } }).name).toBe('d (3)');
    w.rollback();
    store.remove(store.findByName(projectId, 'd (3)')!.id);
  });

  it('names a second import of the same name “d (2)” and keeps edits beside the original', () => {
    const w = store.beginImport(meta);
    w.add(2, JSON.stringify({ kind: 'text', text: 'orig' }), 'x');
    const d = w.commit(0, 'text', 'abc', { shape: 'text', fields: { text: { columns: ['t'] } } });
    expect(d.name).toBe('d (2)');
    store.edit(d.id, 0, { kind: 'text', text: 'new' });
    expect(store.row(d.id, 0)).toMatchObject({ record: '{"kind":"text","text":"orig"}', edited_record: '{"kind":"text","text":"new"}' });
    store.edit(d.id, 0, null);
    expect(store.row(d.id, 0).edited_record).toBeNull();
    expect(() => store.edit(d.id, 5, null)).toThrow(/no row 5/);
  });

  it('finds rows by a case-insensitive substring of the record in effect, with the SQL filters', () => {
    const w = store.beginImport({ ...meta, name: 'search' });
    const texts = ['Refund my ORDER', '怎么退款？', 'shipping "fast"\nplease', '怎么退款？', 'line one\nline two', 'nothing here'];
    texts.forEach((text, i) => w.add(i + 2, JSON.stringify({ kind: 'text', text }), text === '怎么退款？' ? 'dup' : i));
    const d = w.commit(0, 'text', 'search', { shape: 'text', fields: { text: { columns: ['t'] } } });
    store.edit(d.id, 5, { kind: 'text', text: 'now about a refund' });
    store.exclude(d.id, 1, true);
    const find = (search: string, filter: Parameters<typeof store.matchingIdxs>[2] = 'all') => store.matchingIdxs(d.id, search, filter);

    expect(find('refund')).toEqual([0, 5]); // row 5 by its edit …
    expect(find('nothing')).toEqual([]); // … and no longer by its original
    expect(find('order')).toEqual([0]);
    expect(find('退款')).toEqual([1, 3]);
    expect(find('"fast"')).toEqual([2]); // JSON-escaped like the stored record
    expect(find('one\nline')).toEqual([4]);
    expect(find('%')).toEqual([]); // no LIKE wildcards
    expect(find('')).toEqual([0, 1, 2, 3, 4, 5]);

    expect(find('', 'excluded')).toEqual([1]);
    expect(find('', 'edited')).toEqual([5]);
    expect(find('', 'included')).toEqual([0, 2, 3, 4, 5]);
    expect(find('', 'duplicates')).toEqual([1, 3]); // every copy, excluded or not
    expect(find('退款', 'included')).toEqual([3]);
    expect(find('refund', 'edited')).toEqual([5]);
    expect(find('refund', 'duplicates')).toEqual([]);
    store.remove(d.id);
  });
});
