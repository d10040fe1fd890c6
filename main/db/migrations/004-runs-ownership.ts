// Schema v4: what a run needs beyond v1 to survive its owner. Which process owns a live run (pid, host, heartbeat)
// and which engine child it started, so a later start can tell a crashed owner from a working one; the prepared
// data's fingerprint (continuous retraining compares it); and the run's evaluation scores.
import type { Migration } from './migration.js';

export const runsOwnership: Migration = {
  version: 4,
  name: 'runs-ownership',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
      ALTER TABLE runs ADD COLUMN owner_host TEXT;
      ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
      ALTER TABLE runs ADD COLUMN engine_pid INTEGER;
      ALTER TABLE runs ADD COLUMN prepared TEXT;   -- JSON: records, tokens, cache key, rows fingerprint
      ALTER TABLE runs ADD COLUMN scores TEXT;     -- JSON: {samples, bleu4, rouge1, rouge2, rougeL}
      CREATE INDEX runs_status ON runs(status);
    `);
  },
};
