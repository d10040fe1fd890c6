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
  it('writes an import in one transaction: nothing is visible before commit, nothing remains after rollback', () => {
    const before = indexes();
    const w = store.beginImport(meta, 1_000_000);
    expect(ws.db.inTransaction).toBe(true);
    expect(indexes()).toEqual([]); // dropped for the bulk load …
    for (let i = 0; i < 250; i++) w.add(i + 2, JSON.stringify({ kind: 'text', text: `t${i}` }), `h${i % 7}`);
    w.rollback();
    expect(indexes()).toEqual(before); // … and back after a rollback
    expect(store.list(projectId)).toEqual([]);
    expect((ws.db.prepare('SELECT COUNT(*) AS n FROM dataset_rows').get() as { n: number }).n).toBe(0);
  });

  it('rebuilds the secondary indexes before COMMIT and keeps every row in order', () => {
    const before = indexes();
    const w = store.beginImport(meta, 1_000_000);
    for (let i = 0; i < 250; i++) w.add(i + 2, JSON.stringify({ kind: 'text', text: `t${i}` }), `h${i % 7}`);
    const d = w.commit(3, 'text', 'abc', { shape: 'text', fields: { text: { columns: ['t'] } } });
    expect(indexes()).toEqual(before);
    expect(d).toMatchObject({ rowCount: 250, skippedCount: 3, shape: 'text', sourceSha256: 'abc', mapping: { shape: 'text' } });
    expect(store.rows(d.id, 248, 10).map((r) => r.source_row)).toEqual([250, 251]);
    expect((ws.db.prepare('SELECT COUNT(*) AS n FROM dataset_rows WHERE dataset_id = ? AND content_hash = ?').get(d.id, 'h3') as { n: number }).n).toBe(36);
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
});
