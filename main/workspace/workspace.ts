// A workspace: one folder holding lathe.db and the large files (per-project folders, models, caches).
// Opening one creates the folder and applies migrations; nothing here knows about Electron or the web.
import fs from 'node:fs';
import path from 'node:path';
import { openWorkspaceDb, type WorkspaceDb } from '../db/workspace-db.js';
import { resolveInside } from './safe-path.js';

export interface WorkspacePaths {
  readonly home: string;
  readonly dbFile: string;
  readonly models: string;
  readonly cache: string;
  readonly tmp: string;
  /** Per-project folder for datasets' sources, runs and exports. */
  project(projectId: number): string;
}

export interface Workspace {
  readonly paths: WorkspacePaths;
  readonly db: WorkspaceDb;
  close(): void;
}

export function workspacePaths(home: string): WorkspacePaths {
  const root = path.resolve(home);
  return {
    home: root,
    dbFile: path.join(root, 'lathe.db'),
    models: path.join(root, 'models'),
    cache: path.join(root, 'cache'),
    tmp: path.join(root, 'tmp'),
    project: (id: number) => resolveInside(root, 'projects', String(Math.trunc(id))),
  };
}

export function openWorkspace(home: string): Workspace {
  const paths = workspacePaths(home);
  for (const dir of [paths.home, paths.models, paths.cache, paths.tmp]) fs.mkdirSync(dir, { recursive: true });
  const db = openWorkspaceDb(paths.dbFile);
  let open = true;
  return {
    paths,
    db,
    close() {
      if (open) db.close();
      open = false;
    },
  };
}
