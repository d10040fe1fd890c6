// Schema v7: a small key/value table for workspace-wide settings and one-time markers (the demo project seeded).
import type { Migration } from './migration.js';

export const appSettings: Migration = {
  version: 7,
  name: 'app-settings',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key         TEXT PRIMARY KEY,
        value       TEXT NOT NULL,              -- JSON
        updated_at  TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
  },
};
