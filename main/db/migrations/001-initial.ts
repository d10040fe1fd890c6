// Schema v1: the tables every later domain extends (projects, datasets and their rows and mappings, templates,
// runs and their metrics, artifacts). Large files live in the workspace folder; the DB holds paths relative to it.
import type { Migration } from './migration.js';

export const initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE projects (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );

      CREATE TABLE datasets (
        id              INTEGER PRIMARY KEY,
        project_id      INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name            TEXT NOT NULL,
        source_name     TEXT NOT NULL,
        source_sha256   TEXT NOT NULL,
        source_size     INTEGER NOT NULL,
        format          TEXT NOT NULL,             -- reader that produced it: xlsx, csv, json, jsonl, parquet, llamafactory
        reader_options  TEXT NOT NULL DEFAULT '{}', -- JSON: encoding, sheet, header row, delimiter …
        shape           TEXT NOT NULL,             -- single | conversation | preference
        row_count       INTEGER NOT NULL DEFAULT 0,
        skipped_count   INTEGER NOT NULL DEFAULT 0,
        split_seed      INTEGER NOT NULL DEFAULT 42,
        val_ratio       REAL NOT NULL DEFAULT 0.0,
        created_at      TEXT NOT NULL,
        UNIQUE (project_id, name)
      );
      CREATE INDEX datasets_sha ON datasets(source_sha256);

      -- Every mapping a dataset was imported with; the newest is current.
      CREATE TABLE mappings (
        id          INTEGER PRIMARY KEY,
        dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        mapping     TEXT NOT NULL,                 -- JSON: target field -> column(s) / template
        created_at  TEXT NOT NULL
      );

      CREATE TABLE dataset_rows (
        dataset_id     INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        idx            INTEGER NOT NULL,           -- 0-based position in the dataset
        source_row     INTEGER NOT NULL,           -- the row a person sees in the source file
        record         TEXT NOT NULL,              -- JSON: the normalised record as imported
        edited_record  TEXT,                       -- JSON: the user's edit; the original stays in record
        excluded       INTEGER NOT NULL DEFAULT 0,
        content_hash   TEXT NOT NULL,              -- of the normalised record: duplicates and re-import diffs
        PRIMARY KEY (dataset_id, idx)
      ) WITHOUT ROWID;
      CREATE INDEX dataset_rows_hash ON dataset_rows(dataset_id, content_hash);

      CREATE TABLE templates (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        definition  TEXT NOT NULL,                 -- JSON
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );

      CREATE TABLE runs (
        id             INTEGER PRIMARY KEY,
        project_id     INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name           TEXT NOT NULL,
        status         TEXT NOT NULL,              -- queued, preparing, running, paused, stopping, completed, failed, interrupted
        config         TEXT NOT NULL,              -- JSON: the validated run configuration
        parent_run_id  INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        step           INTEGER NOT NULL DEFAULT 0,
        max_steps      INTEGER,
        error          TEXT,                       -- JSON {code, message, hint}
        created_at     TEXT NOT NULL,
        started_at     TEXT,
        finished_at    TEXT
      );
      CREATE INDEX runs_project ON runs(project_id);

      CREATE TABLE run_metrics (
        run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        kind          TEXT NOT NULL,               -- train | eval
        step          INTEGER NOT NULL,
        epoch         REAL,
        loss          REAL,
        lr            REAL,
        grad_norm     REAL,
        tokens_per_s  REAL,
        memory_mb     REAL,
        at            TEXT NOT NULL,
        PRIMARY KEY (run_id, kind, step)
      ) WITHOUT ROWID;

      CREATE TABLE artifacts (
        id          INTEGER PRIMARY KEY,
        project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        run_id      INTEGER REFERENCES runs(id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,                 -- adapter, checkpoint, merged, gguf, onnx, ollama …
        path        TEXT NOT NULL,                 -- relative to the workspace folder
        bytes       INTEGER NOT NULL DEFAULT 0,
        meta        TEXT NOT NULL DEFAULT '{}',
        created_at  TEXT NOT NULL
      );
      CREATE INDEX artifacts_project ON artifacts(project_id);
      CREATE INDEX artifacts_run ON artifacts(run_id);
    `);
  },
};
