// Schema v10: a removed project is hidden at once ('removing', its name freed) while what it owns is deleted in
// short transactions afterwards (main/projects/project-removal.ts); a removal cut short by a kill is resumed at the
// next start. It does not delete anything itself.
import type { Migration } from './migration.js';

export const projectRemovalState: Migration = {
  version: 10,
  name: 'project-removal-state',
  up(db) {
    db.exec(`
      ALTER TABLE projects ADD COLUMN state TEXT NOT NULL DEFAULT 'ready';  -- ready | removing
      CREATE INDEX projects_removing ON projects(state) WHERE state <> 'ready';
    `);
  },
};
