// Migration 012 on a workspace written by the previous schema: every ready dataset's rows move into its row file
// (same positions, records and hashes), edits and exclusions stay in lathe.db, unfinished and removed datasets'
// rows are dropped, and the store reads the migrated dataset exactly as before.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/helpers/temp-home.js';
import { rowFileIds, rowFilePath } from '../dataset-row-file.js';
import { DatasetsStore } from '../datasets-store.js';
import { openWorkspaceDb, schemaVersion } from '../workspace-db.js';
import { MIGRATIONS } from './index.js';

const home = tempHome();
afterAll(() => home.cleanup());

describe('migration 012: dataset row files', () => {
  it('moves ready datasets’ rows into their files and keeps the edits', () => {
    const file = path.join(home.dir, 'ws', 'lathe.db');
    const v11 = openWorkspaceDb(file, MIGRATIONS.filter((m) => m.version <= 11));
    const project = Number(v11.prepare("INSERT INTO projects (name, created_at, updated_at) VALUES ('P', '', '')").run().lastInsertRowid);
    const dataset = (name: string, state: string) =>
      Number(
        v11
          .prepare("INSERT INTO datasets (project_id, name, source_name, source_sha256, source_size, format, shape, row_count, created_at, state) VALUES (?, ?, 'x.csv', 's', 1, 'csv', 'single', 3, '', ?)")
          .run(project, name, state).lastInsertRowid,
      );
    const ready = dataset('ready', 'ready');
    const importing = dataset('importing', 'importing');
    const removing = dataset('removing', 'removing');
    const insert = v11.prepare('INSERT INTO dataset_rows (dataset_id, idx, source_row, record, edited_record, excluded, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const id of [ready, importing, removing]) {
      insert.run(id, 0, 2, '{"kind":"text","text":"a"}', null, 0, 'h0');
      insert.run(id, 1, 4, '{"kind":"text","text":"b"}', '{"kind":"text","text":"B"}', 0, 'h1');
      insert.run(id, 2, 5, '{"kind":"text","text":"a"}', null, 1, 'h0');
    }
    const revision = () => v11.prepare('SELECT revision FROM datasets WHERE id = ?').pluck().get(ready) as number;
    const revisionBefore = revision();
    v11.close();

    const db = openWorkspaceDb(file);
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(12);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'dataset_rows'").get()).toBeUndefined();
    expect(rowFileIds(file)).toEqual([ready]);
    const store = new DatasetsStore(db);
    expect(store.rows(ready, 0, 10)).toEqual([
      { idx: 0, source_row: 2, record: '{"kind":"text","text":"a"}', edited_record: null, excluded: 0 },
      { idx: 1, source_row: 4, record: '{"kind":"text","text":"b"}', edited_record: '{"kind":"text","text":"B"}', excluded: 0 },
      { idx: 2, source_row: 5, record: '{"kind":"text","text":"a"}', edited_record: null, excluded: 1 },
    ]);
    expect(store.matchingIdxs(ready, '', 'duplicates')).toEqual([0, 2]); // the hashes came along
    expect(store.includedIdxs(ready)).toEqual([0, 1]);
    expect(db.prepare('SELECT COUNT(*) FROM dataset_row_edits').pluck().get()).toBe(2); // the ready dataset's only
    // Edits still bump the revision (the preview's statistics cache depends on it), undoing one too.
    const rev = () => db.prepare('SELECT revision FROM datasets WHERE id = ?').pluck().get(ready) as number;
    expect(rev()).toBe(revisionBefore);
    store.exclude(ready, 2, false);
    const afterUndo = rev();
    expect(afterUndo).toBeGreaterThan(revisionBefore);
    store.edit(ready, 0, { kind: 'text', text: 'A' });
    expect(rev()).toBeGreaterThan(afterUndo);
    expect(db.prepare('SELECT COUNT(*) FROM dataset_row_edits').pluck().get()).toBe(2); // row 2 back to as imported: no row
    store.close();
    db.close();
    expect(fs.existsSync(`${file}.before-v12.bak`)).toBe(true); // the usual copy before an upgrade
    expect(fs.existsSync(rowFilePath(file, importing))).toBe(false);
  });
});
