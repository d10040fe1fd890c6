// Opens the workspace database (lathe.db): WAL, foreign keys, versioned migrations applied at open.
// A DB from a newer Lathe is refused; a failed migration is rolled back and leaves a backup. Never deletes a DB.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LatheError } from '../../preload/contract/errors.js';
import { MIGRATIONS } from './migrations/index.js';
import { sqliteNativeBinding } from './sqlite-binding.js';
import type { Migration } from './migrations/migration.js';

export type WorkspaceDb = Database.Database;

export function latestSchemaVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.reduce((v, m) => Math.max(v, m.version), 0);
}

export function openWorkspaceDb(file: string, migrations: readonly Migration[] = MIGRATIONS): WorkspaceDb {
  checkMigrationList(migrations);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const nativeBinding = sqliteNativeBinding();
  let db: WorkspaceDb;
  try {
    db = new Database(file, nativeBinding ? { nativeBinding } : {});
  } catch (err) {
    throw new LatheError('io_error', `Cannot open the workspace database ${file}: ${(err as Error).message}`);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrate(db, file, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function schemaVersion(db: WorkspaceDb): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: WorkspaceDb, file: string, migrations: readonly Migration[]): void {
  const current = schemaVersion(db);
  const latest = latestSchemaVersion(migrations);
  if (current > latest) {
    throw new LatheError(
      'workspace_too_new',
      `The workspace database ${file} was written by a newer version of Lathe (schema ${current}; this version knows up to ${latest}). Update Lathe, or open another workspace with --home.`,
      { file, schemaVersion: current, supported: latest },
    );
  }
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return;
  // Upgrading a DB that already holds data: keep a consistent copy first, so a failure loses nothing.
  let backup: string | undefined;
  if (current > 0) {
    backup = `${file}.before-v${pending[0]!.version}.bak`;
    fs.rmSync(backup, { force: true });
    db.prepare('VACUUM INTO ?').run(backup);
  }
  for (const m of pending) {
    try {
      db.transaction(() => {
        m.up(db);
        db.pragma(`user_version = ${m.version}`);
      })();
    } catch (err) {
      throw new LatheError(
        'migration_failed',
        `Upgrading the workspace database ${file} to schema ${m.version} (${m.name}) failed: ${(err as Error).message}. ` +
          `Nothing was changed${backup ? `; a copy taken before the upgrade is at ${backup}` : ''}.`,
        { file, version: m.version, backup },
      );
    }
  }
}

function checkMigrationList(migrations: readonly Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version <= migrations[i - 1]!.version) {
      throw new Error(`Migrations out of order: ${migrations[i - 1]!.name} (${migrations[i - 1]!.version}) before ${migrations[i]!.name} (${migrations[i]!.version})`);
    }
  }
}
