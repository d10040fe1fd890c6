import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempHome } from '../../test/helpers/temp-home.js';
import { openWorkspace } from '../workspace/workspace.js';
import { DatasetsStore } from './datasets-store.js';
import { ProjectsStore } from './projects-store.js';

const home = tempHome();
const ws = openWorkspace(path.join(home.dir, 'ws'));
const store = new DatasetsStore(ws.db);
const projectId = new ProjectsStore(ws.db).create('S').id;
afterAll(() => (ws.close(), home.cleanup()));

const meta = { projectId, name: 'd', sourceName: 'd.csv', sourceSha256: '', sourceSize: 1, format: 'csv', readerOptions: {}, shape: 'single' };
const indexes = () => (ws.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dataset_rows' AND sql IS NOT NULL").all() as { name: string }[]).map((r) => r.name);

describe('datasets store', () => {
  it('keeps an unfinished import invisible and out of the write lock; rollback leaves nothing', () => {
    const before = indexes();
    const w = store.beginImport(meta);
    expect(ws.db.inTransaction).toBe(false); // the lock is not held between chunks …
    for (let i = 0; i < 9000; i++) w.add(i + 2, JSON.stringify({ kind: 'text', text: `t${i}` }), `h${i % 7}`);
    expect(w.stats.chunks).toBe(2); // … only for each chunk
    expect((ws.db.prepare('SELECT COUNT(*) AS n FROM dataset_rows WHERE dataset_id = ?').get(w.datasetId) as { n: number }).n).toBe(8000);
    expect(store.list(projectId)).toEqual([]);
    expect(() => store.get(w.datasetId)).toThrow(/no dataset/);
    expect(store.importing().map((i) => i.id)).toEqual([w.datasetId]);
    w.rollback();
    expect(indexes()).toEqual(before);
    expect(store.importing()).toEqual([]);
    expect((ws.db.prepare('SELECT COUNT(*) AS n FROM dataset_rows').get() as { n: number }).n).toBe(0);
    expect((ws.db.prepare('SELECT COUNT(*) AS n FROM datasets').get() as { n: number }).n).toBe(0);
  });

  it("checkpoints outside the import's transactions, and truncates the WAL once the dataset is published", () => {
    const autoCheckpoint = () => ws.db.pragma('wal_autocheckpoint', { simple: true });
    // Frames in the WAL, and how many of them are already in the database file.
    const wal = () => ws.db.pragma('wal_checkpoint(PASSIVE)')[0] as { log: number; checkpointed: number };
    const w = store.beginImport({ ...meta, name: 'wal' });
    expect(autoCheckpoint()).toBe(1000); // nothing written yet: SQLite's default
    for (let i = 0; i < 20_000; i++) w.add(i + 2, JSON.stringify({ kind: 'text', text: `第 ${i} 行：${'文本'.repeat(40)}` }), `h${i}`);
    expect(autoCheckpoint()).toBe(0); // no checkpoint inside each chunk's commit …
    const w2 = store.beginImport({ ...meta, name: 'wal-2' }); // … nor after another import's, on the same connection
    w2.add(2, '{"kind":"text","text":"x"}', 'h');
    w2.rollback();
    expect(autoCheckpoint()).toBe(0);
    w.commit(0, 'text', 'abc', { shape: 'text', fields: { text: { columns: ['t'] } } });
    expect(autoCheckpoint()).toBe(1000); // given back with the publish
    const walFile = `${ws.paths.dbFile}-wal`;
    expect(fs.statSync(walFile).size).toBeGreaterThan(3_000_000); // the import's 20,000 rows went through the WAL
    expect(w.checkpoint()).toBeGreaterThanOrEqual(0);
    const after = wal();
    expect(after.checkpointed).toBe(after.log); // every committed frame is in the database file now …
    expect(fs.statSync(walFile).size).toBe(0); // … and the WAL file's space given back (no other connection here)
    expect(ws.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    // Removal hides the dataset at once; its rows go chunk by chunk, and nothing of it is left at the end.
    store.remove(w.datasetId);
    expect(() => store.get(w.datasetId)).toThrow(/no dataset/);
    expect(() => store.remove(w.datasetId)).toThrow(/no dataset/);
    expect(store.removing()).toEqual([w.datasetId]);
    expect(store.importing()).toEqual([]);
    let chunks = 0;
    while (!store.deleteRemovedChunk(w.datasetId)) chunks++;
    expect(chunks).toBe(4); // 20,000 rows, 5,000 a transaction
    expect(store.removing()).toEqual([]);
    expect((ws.db.prepare('SELECT COUNT(*) AS n FROM dataset_rows WHERE dataset_id = ?').get(w.datasetId) as { n: number }).n).toBe(0);
    expect((ws.db.prepare('SELECT COUNT(*) AS n FROM mappings WHERE dataset_id = ?').get(w.datasetId) as { n: number }).n).toBe(0);
  });

  it('publishes in a final short transaction and keeps every row in order', () => {
    const w = store.beginImport(meta);
    for (let i = 0; i < 4250; i++) w.add(i + 2, JSON.stringify({ kind: 'text', text: `t${i}` }), `h${i % 7}`);
    const d = w.commit(3, 'text', 'abc', { shape: 'text', fields: { text: { columns: ['t'] } } });
    expect(w.stats.chunks).toBe(3); // 4000 rows, 250 rows, publish
    expect(d).toMatchObject({ rowCount: 4250, skippedCount: 3, shape: 'text', sourceSha256: 'abc', mapping: { shape: 'text' } });
    expect(store.list(projectId).map((x) => x.id)).toEqual([d.id]);
    expect(store.rows(d.id, 4248, 10).map((r) => r.source_row)).toEqual([4250, 4251]);
    expect((ws.db.prepare('SELECT COUNT(*) AS n FROM dataset_rows WHERE dataset_id = ? AND content_hash = ?').get(d.id, 'h3') as { n: number }).n).toBe(607);
    expect(store.discardImportChunk(d.id)).toBe(true); // never touches a finished dataset
    expect(store.get(d.id).rowCount).toBe(4250);
    expect((ws.db.prepare('SELECT COUNT(*) AS n FROM dataset_rows WHERE dataset_id = ?').get(d.id) as { n: number }).n).toBe(4250);
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
    texts.forEach((text, i) => w.add(i + 2, JSON.stringify({ kind: 'text', text }), text === '怎么退款？' ? 'dup' : `h${i}`));
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
