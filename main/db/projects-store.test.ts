import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seedDataset } from '../../test/helpers/seed-dataset.js';
import { tempHome } from '../../test/helpers/temp-home.js';
import { openWorkspace } from '../workspace/workspace.js';
import { DatasetsStore } from './datasets-store.js';
import { DISCARD_ROWS } from './dataset-import-writer.js';
import { rowFilePath } from './dataset-row-file.js';
import { ProjectsStore, type RemovalStep } from './projects-store.js';

const home = tempHome();
const ws = openWorkspace(path.join(home.dir, 'ws'));
const store = new ProjectsStore(ws.db);
const datasets = new DatasetsStore(ws.db);
afterAll(() => (ws.close(), home.cleanup()));

const count = (sql: string, ...args: unknown[]) => (ws.db.prepare(sql).get(...args) as { n: number }).n;
const now = new Date().toISOString();

/** A dataset of `rows` rows, every one excluded by the user (edits to delete a chunk at a time). */
function dataset(projectId: number, name: string, rows: number, state = 'ready'): number {
  const id = seedDataset(ws.db, projectId, name, rows, rows);
  ws.db.prepare('UPDATE datasets SET state = ? WHERE id = ?').run(state, id);
  return id;
}

function run(projectId: number, metrics: number, status = 'completed'): number {
  const id = Number(ws.db.prepare("INSERT INTO runs (project_id, name, status, config, created_at) VALUES (?, 'r', ?, '{}', ?)").run(projectId, status, now).lastInsertRowid);
  ws.db
    .prepare("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?) INSERT INTO run_metrics (run_id, kind, step, at) SELECT ?, 'train', i, '' FROM n")
    .run(metrics, id);
  ws.db.prepare("INSERT INTO artifacts (project_id, run_id, kind, path, created_at) VALUES (?, ?, 'peft', 'p', '')").run(projectId, id);
  return id;
}

/** Rows of every table that a project owns, and its datasets' row files (one each). */
function owned(projectId: number): number {
  const ids = ws.db.prepare<[number], number>('SELECT id FROM datasets WHERE project_id = ?').pluck().all(projectId);
  return (
    ids.filter((id) => fs.existsSync(rowFilePath(ws.paths.dbFile, id))).length +
    count('SELECT COUNT(*) AS n FROM dataset_row_edits WHERE dataset_id IN (SELECT id FROM datasets WHERE project_id = ?)', projectId) +
    count('SELECT COUNT(*) AS n FROM datasets WHERE project_id = ?', projectId) +
    count('SELECT COUNT(*) AS n FROM run_metrics WHERE run_id IN (SELECT id FROM runs WHERE project_id = ?)', projectId) +
    count('SELECT COUNT(*) AS n FROM runs WHERE project_id = ?', projectId) +
    count('SELECT COUNT(*) AS n FROM artifacts WHERE project_id = ?', projectId)
  );
}

/** Calls deleteRemovedChunk until it says something other than 'more'; each call must delete at most one chunk. */
function drain(id: number): { step: RemovalStep; calls: number } {
  let calls = 0;
  for (;;) {
    const before = owned(id);
    const step = store.deleteRemovedChunk(id);
    expect(before - owned(id)).toBeLessThanOrEqual(DISCARD_ROWS + 2); // a chunk, and the row it belonged to
    calls++;
    if (step !== 'more') return { step, calls };
  }
}

describe('projects store: removal', () => {
  it('hides the project and its datasets at once and frees its name, case-insensitively, however many were removed', () => {
    const a = store.create('Shared name').id;
    const d = dataset(a, 'd', 10);
    store.remove(a);
    expect(store.list().map((p) => p.id)).not.toContain(a);
    expect(() => store.get(a)).toThrow(/no project/);
    expect(store.findByName('Shared name')).toBeUndefined();
    expect(() => store.rename(a, 'Other')).toThrow(/no project/);
    expect(() => store.remove(a)).toThrow(/no project/);
    expect(() => datasets.get(d)).toThrow(/no dataset/);
    expect(() => datasets.requireProject(a)).toThrow(/no project/); // no import into it
    // Two removed projects' tombstones do not collide (NOCASE stops at a NUL; they do not hold one).
    const b = store.create('SHARED NAME').id;
    store.remove(b);
    const c = store.create('shared name');
    expect(c.name).toBe('shared name');
    expect(store.removing()).toEqual([a, b]);
    expect(datasets.removing()).toEqual([]); // its datasets are the project removal's, not the dataset removal's
    for (const id of [a, b]) {
      expect(drain(id).step).toBe('empty');
      store.deleteRemoved(id);
    }
    expect(store.removing()).toEqual([]);
    expect(count('SELECT COUNT(*) AS n FROM projects WHERE id IN (?, ?)', a, b)).toBe(0);
  });

  it('deletes a chunk per call: datasets, metrics, runs, artifacts; then only the row is left', () => {
    const keep = store.create('Keep').id;
    dataset(keep, 'k', 100);
    run(keep, 100);
    const keepOwned = owned(keep);
    const p = store.create('Big').id;
    dataset(p, 'a', 12_000);
    dataset(p, 'b', 3_000);
    run(p, 11_000);
    run(p, 0);
    store.remove(p);
    const { step, calls } = drain(p);
    expect(step).toBe('empty');
    expect(calls).toBeGreaterThanOrEqual(3 + 1 + 3 + 1); // edits of a, of b, metrics of the first run, …
    expect(owned(p)).toBe(0);
    expect(count('SELECT COUNT(*) AS n FROM projects WHERE id = ?', p)).toBe(1); // the row goes last (deleteRemoved)
    store.deleteRemoved(p);
    expect(store.deleteRemovedChunk(p)).toBe('gone');
    expect(owned(keep)).toBe(keepOwned);
    // A project that is not being removed is never touched.
    expect(store.deleteRemovedChunk(keep)).toBe('gone');
    store.deleteRemoved(keep);
    expect(owned(keep)).toBe(keepOwned);
    expect(store.get(keep).name).toBe('Keep');
  });

  it('hides a dataset an import published after the removal, and waits for one still importing', () => {
    const p = store.create('Importing').id;
    const importing = dataset(p, 'late', 10, 'importing');
    store.remove(p);
    expect(drain(p).step).toBe('waiting');
    ws.db.prepare("UPDATE datasets SET state = 'ready' WHERE id = ?").run(importing); // the import publishes
    expect(drain(p).step).toBe('empty');
    expect(owned(p)).toBe(0);
    store.deleteRemoved(p);
  });

  it('is refused while a run of the project is live', () => {
    const p = store.create('Training').id;
    const r = run(p, 5, 'paused');
    expect(() => store.remove(p)).toThrow(expect.objectContaining({ code: 'conflict', details: { runId: r } }));
    expect(store.get(p).runCount).toBe(1);
  });
});
