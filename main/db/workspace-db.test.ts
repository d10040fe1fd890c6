import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LatheError } from '../../preload/contract/errors.js';
import { tempHome } from '../../test/helpers/temp-home.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration } from './migrations/migration.js';
import { latestSchemaVersion, openWorkspaceDb, schemaVersion } from './workspace-db.js';

const homes: { cleanup(): void }[] = [];
function dbFile(): string {
  const h = tempHome();
  homes.push(h);
  return path.join(h.dir, 'lathe.db');
}
afterEach(() => homes.splice(0).forEach((h) => h.cleanup()));

describe('workspace database', () => {
  it('creates an empty DB at the latest schema with WAL and foreign keys', () => {
    const db = openWorkspaceDb(dbFile());
    expect(schemaVersion(db)).toBe(latestSchemaVersion());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type='table'").pluck().all();
    for (const t of ['projects', 'datasets', 'dataset_row_edits', 'mappings', 'templates', 'runs', 'run_metrics', 'artifacts']) expect(tables).toContain(t);
    db.close();
  });

  it('upgrades an old DB in place, keeping its rows and a backup', () => {
    const file = dbFile();
    const v1 = openWorkspaceDb(file, MIGRATIONS.slice(0, 1));
    v1.prepare("INSERT INTO projects (name, created_at, updated_at) VALUES ('old', 'x', 'x')").run();
    v1.close();
    const next: Migration = { version: 999, name: 'add-notes', up: (db) => db.exec('ALTER TABLE projects ADD COLUMN notes TEXT') };
    const db = openWorkspaceDb(file, [...MIGRATIONS, next]);
    expect(schemaVersion(db)).toBe(999);
    expect(db.prepare('SELECT name, notes FROM projects').get()).toEqual({ name: 'old', notes: null });
    db.close();
    expect(fs.existsSync(`${file}.before-v${MIGRATIONS.length > 1 ? MIGRATIONS[1]!.version : 999}.bak`)).toBe(true);
  });

  it('refuses a DB written by a newer Lathe, leaving it untouched', () => {
    const file = dbFile();
    const raw = new Database(file);
    raw.pragma('user_version = 9999');
    raw.close();
    let error: unknown;
    try {
      openWorkspaceDb(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LatheError);
    expect((error as LatheError).code).toBe('workspace_too_new');
    expect((error as LatheError).message).toMatch(/newer version of Lathe/);
    const again = new Database(file);
    expect(again.pragma('user_version', { simple: true })).toBe(9999);
    again.close();
  });

  it('rolls back a failing migration, keeps the data and reports the backup', () => {
    const file = dbFile();
    const db1 = openWorkspaceDb(file);
    db1.prepare("INSERT INTO projects (name, created_at, updated_at) VALUES ('keep me', 'x', 'x')").run();
    db1.close();
    const broken: Migration = {
      version: 1000,
      name: 'broken',
      up: (db) => {
        db.exec('DROP TABLE run_metrics');
        db.exec('THIS IS NOT SQL');
      },
    };
    expect(() => openWorkspaceDb(file, [...MIGRATIONS, broken])).toThrow(/failed.*Nothing was changed.*before-v1000\.bak/s);
    const db2 = openWorkspaceDb(file);
    expect(schemaVersion(db2)).toBe(latestSchemaVersion());
    expect(db2.prepare('SELECT name FROM projects').pluck().all()).toEqual(['keep me']);
    expect(db2.prepare("SELECT count(*) FROM sqlite_master WHERE name='run_metrics'").pluck().get()).toBe(1);
    db2.close();
    expect(fs.existsSync(`${file}.before-v1000.bak`)).toBe(true);
  });

  it('rejects a migration list out of order', () => {
    const m = (version: number): Migration => ({ version, name: `m${version}`, up: () => undefined });
    expect(() => openWorkspaceDb(dbFile(), [m(2), m(1)])).toThrow(/out of order/);
  });
});
