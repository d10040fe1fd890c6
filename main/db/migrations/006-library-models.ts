// Schema v6: the local model library. One row per model folder Lathe knows: downloaded into the workspace's
// models folder (managed) or added by the user from elsewhere. Access tokens are NOT stored here (OS keychain).
import type { Migration } from './migration.js';

export const libraryModels: Migration = {
  version: 6,
  name: 'library-models',
  up(db) {
    db.exec(`
      CREATE TABLE library_models (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,                 -- hub model id (owner/name), or the folder's name
        source      TEXT NOT NULL,                 -- hf | modelscope | local
        endpoint    TEXT,                          -- hub base URL it came from (a mirror, say); never credentials
        revision    TEXT,                          -- branch, tag or commit asked for
        commit_sha  TEXT,                          -- the commit the hub resolved it to, when it says
        path        TEXT NOT NULL UNIQUE,          -- relative to the workspace when managed, else absolute
        managed     INTEGER NOT NULL DEFAULT 0,    -- 1: Lathe downloaded it and removes its files on delete
        status      TEXT NOT NULL,                 -- downloading | ready | incomplete | corrupted | missing
        files       TEXT NOT NULL DEFAULT '[]',    -- JSON: [{path, size, sha256, gitSha1}] expected from the hub
        disk_bytes  INTEGER NOT NULL DEFAULT 0,
        card        TEXT,                          -- JSON: model card summary when the folder is readable
        problems    TEXT NOT NULL DEFAULT '[]',    -- JSON: [{path, problem, detail}] from the last check
        added_at    TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        checked_at  TEXT
      );
      CREATE INDEX library_models_name ON library_models(source, name);
    `);
  },
};
