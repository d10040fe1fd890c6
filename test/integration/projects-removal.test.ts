// Removing a large project must not block the workspace's other writers (it used to be one transaction deleting every
// dataset row, metric and artifact of the project), its name must be free at once, and a process killed half-way
// through must lose nothing else and finish the removal at the next start. Real processes: a writer on another
// connection beside the removal, and a child process SIGKILLed mid-removal.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleScript, spawnChild, waitForChild } from '../helpers/killed-child.js';
import { startMetricWriter } from '../helpers/metric-writer-probe.js';
import { seedDataset, storedRowCount } from '../helpers/seed-dataset.js';
import { tempHome } from '../helpers/temp-home.js';
import { rowFileIds } from '../../main/db/dataset-row-file.js';
import { DatasetsService } from '../../main/datasets/datasets-service.js';
import { ProjectsService } from '../../main/projects/projects-service.js';
import { RunsStore } from '../../main/db/runs-store.js';
import { EventHub } from '../../main/ipc/event-hub.js';
import { openWorkspace, type Workspace } from '../../main/workspace/workspace.js';

const childFile = path.resolve('node_modules/.cache/lathe-test', `remove-project-child-${process.pid}.mjs`);
const home = tempHome();
const wsDir = path.join(home.dir, 'ws');
let ws: Workspace;
let keepProject: number;

// The child: removes project argv[3] from the workspace argv[2] through the service, as the app does.
const CHILD = `
import { openWorkspace } from './main/workspace/workspace.js';
import { ProjectsService } from './main/projects/projects-service.js';
import { EventHub } from './main/ipc/event-hub.js';
const [home, id] = process.argv.slice(2);
const ws = openWorkspace(home);
const svc = new ProjectsService({ workspace: ws, events: new EventHub(), transport: 'electron' });
await svc.remove({ id: Number(id) });
process.stdout.write('hidden\\n');
await svc.removals.idle();
process.stdout.write('finished\\n');
`;

const ctx = (w: Workspace) => ({ workspace: w, events: new EventHub(), transport: 'electron' as const });
const count = (sql: string, ...args: unknown[]) => (ws.db.prepare(sql).get(...args) as { n: number }).n;
const now = () => new Date().toISOString();

beforeAll(async () => {
  await bundleScript(CHILD, childFile);
  ws = openWorkspace(wsDir);
  const svc = new ProjectsService(ctx(ws));
  keepProject = (await svc.create({ name: 'Keep' })).id;
  dataset(keepProject, 'keep', 2_000);
  run(keepProject, 3_000);
});
afterAll(() => {
  ws.close();
  home.cleanup();
  fs.rmSync(childFile, { force: true });
});

// Every tenth row excluded by the user: edits that are deleted a chunk at a time like metrics.
const dataset = (projectId: number, name: string, rows: number) => seedDataset(ws.db, projectId, name, rows, rows / 10);

/** A finished run with `metrics` train and eval points, a checkpoint artifact, and an export of it. */
function run(projectId: number, metrics: number): number {
  const id = Number(ws.db.prepare("INSERT INTO runs (project_id, name, status, config, created_at) VALUES (?, 'r', 'completed', '{}', ?)").run(projectId, now()).lastInsertRowid);
  ws.db
    .prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
       INSERT INTO run_metrics (run_id, kind, step, epoch, loss, lr, grad_norm, tokens_per_s, memory_mb, at)
       SELECT ?, CASE WHEN i % 10 = 0 THEN 'eval' ELSE 'train' END, i, i / 1000.0, 2.0 - i / 1e6, 2e-4, 1.0, 5000, 8000, ? FROM n`,
    )
    .run(metrics, id, now());
  const artifact = ws.db.prepare("INSERT INTO artifacts (project_id, run_id, kind, path, bytes, created_at) VALUES (?, ?, ?, ?, 0, '')");
  artifact.run(projectId, id, 'checkpoint', `projects/${projectId}/runs/${id}/checkpoint-1`);
  artifact.run(projectId, id, 'peft', `projects/${projectId}/exports/peft-${id}`);
  return id;
}

/** A project the size of a few months' work: 250,000 dataset rows in two datasets, 150,000 metric points in two runs. */
async function bigProject(svc: ProjectsService, name: string): Promise<number> {
  const id = (await svc.create({ name })).id;
  dataset(id, 'tickets', 200_000);
  dataset(id, 'faq', 50_000);
  run(id, 100_000);
  run(id, 50_000);
  fs.mkdirSync(path.join(ws.paths.project(id), 'runs', '1'), { recursive: true });
  fs.writeFileSync(path.join(ws.paths.project(id), 'runs', '1', 'train.log'), 'step 1\n');
  return id;
}

/** Everything a project owns, by table. */
function owned(projectId: number) {
  return {
    datasets: count('SELECT COUNT(*) AS n FROM datasets WHERE project_id = ?', projectId),
    rows: ws.db.prepare<[number], number>('SELECT id FROM datasets WHERE project_id = ?').pluck().all(projectId).reduce((n, id) => n + storedRowCount(ws.db, id), 0),
    edits: count('SELECT COUNT(*) AS n FROM dataset_row_edits WHERE dataset_id IN (SELECT id FROM datasets WHERE project_id = ?)', projectId),
    // Row files no dataset owns (workspace-wide): a removal that lost track of one.
    strayFiles: rowFileIds(ws.paths.dbFile).filter((id) => count('SELECT COUNT(*) AS n FROM datasets WHERE id = ?', id) === 0).length,
    runs: count('SELECT COUNT(*) AS n FROM runs WHERE project_id = ?', projectId),
    metrics: count('SELECT COUNT(*) AS n FROM run_metrics WHERE run_id IN (SELECT id FROM runs WHERE project_id = ?)', projectId),
    artifacts: count('SELECT COUNT(*) AS n FROM artifacts WHERE project_id = ?', projectId),
    project: count('SELECT COUNT(*) AS n FROM projects WHERE id = ?', projectId),
  };
}
const NOTHING = { datasets: 0, rows: 0, edits: 0, strayFiles: 0, runs: 0, metrics: 0, artifacts: 0, project: 0 };
const KEPT = { datasets: 1, rows: 2_000, edits: 200, strayFiles: 0, runs: 1, metrics: 3_000, artifacts: 2, project: 1 };

describe('removing a large project', () => {
  it('hides it at once, frees its name, and deletes what it owns in short transactions while another connection keeps writing', async () => {
    const svc = new ProjectsService(ctx(ws));
    const big = await bigProject(svc, 'Big');
    const liveRun = Number(ws.db.prepare("INSERT INTO runs (project_id, name, status, config, created_at) VALUES (?, 'live', 'running', '{}', ?)").run(keepProject, now()).lastInsertRowid);
    // A training run's metric writer on its own connection, every 20 ms while the removal runs.
    const writer = startMetricWriter(ws.paths.dbFile, liveRun, 20);

    const t0 = performance.now();
    await svc.remove({ id: big });
    const hideMs = performance.now() - t0;
    // Gone for every reader at once (projects, its datasets, runs and exports), though its rows are still there.
    expect((await svc.list()).map((p) => p.name)).toEqual(['Keep']);
    await expect(svc.get({ id: big })).rejects.toMatchObject({ code: 'not_found' });
    const datasets = new DatasetsService(ctx(ws), { useWorker: false });
    expect(await datasets.list({ projectId: big })).toEqual([]);
    expect((await datasets.list({})).map((d) => d.name)).toEqual(['keep']);
    const runs = new RunsStore(ws.db);
    expect(runs.list(big)).toEqual([]);
    expect(runs.list().every((r) => r.row.project_id === keepProject)).toBe(true);
    expect(owned(big).rows).toBeGreaterThan(0);
    // Its name can be used again at once, and the new project is a new one.
    const again = await svc.create({ name: 'big' });
    expect(again.id).not.toBe(big);
    expect(again.datasetCount).toBe(0);
    await svc.remove({ id: again.id });

    await svc.removals.idle();
    const seconds = (performance.now() - t0) / 1000;
    const { waits, errors } = writer.stop();
    console.log(
      `removal of a project with 250,000 rows and 150,000 metrics: hidden in ${hideMs.toFixed(1)} ms, deleted in ${seconds.toFixed(1)} s beside ${waits.length} metric inserts (longest wait ${waits[waits.length - 1]!.toFixed(1)} ms)`,
    );

    expect(hideMs).toBeLessThan(1000);
    expect(errors).toEqual([]);
    expect(waits.length).toBeGreaterThan(10);
    expect(count('SELECT COUNT(*) AS n FROM run_metrics WHERE run_id = ?', liveRun)).toBe(waits.length);
    expect(waits[waits.length - 1]!).toBeLessThan(1000);
    expect(owned(big)).toEqual(NOTHING);
    expect(owned(again.id)).toEqual(NOTHING);
    expect(fs.existsSync(ws.paths.project(big))).toBe(false);
    expect(count('SELECT COUNT(*) AS n FROM mappings WHERE dataset_id NOT IN (SELECT id FROM datasets)')).toBe(0);
    expect(owned(keepProject)).toEqual({ ...KEPT, runs: 2, metrics: KEPT.metrics + waits.length });
    ws.db.prepare('DELETE FROM runs WHERE id = ?').run(liveRun);
    datasets.dispose();
    svc.dispose();
  }, 240_000);

  it('is refused while a run of the project is live', async () => {
    const svc = new ProjectsService(ctx(ws));
    const p = (await svc.create({ name: 'Training' })).id;
    const r = Number(ws.db.prepare("INSERT INTO runs (project_id, name, status, config, created_at) VALUES (?, 'live', 'running', '{}', ?)").run(p, now()).lastInsertRowid);
    await expect(svc.remove({ id: p })).rejects.toMatchObject({ code: 'conflict', details: { runId: r } });
    expect((await svc.list()).map((x) => x.name)).toContain('Training');
    ws.db.prepare("UPDATE runs SET status = 'completed' WHERE id = ?").run(r);
    await svc.remove({ id: p });
    await svc.removals.idle();
    expect(owned(p)).toEqual(NOTHING);
    svc.dispose();
  });

  it('loses nothing else when the removing process is SIGKILLed, and finishes the removal at the next start', async () => {
    const setup = new ProjectsService(ctx(ws));
    const big = await bigProject(setup, 'Doomed');
    setup.dispose();
    const before = owned(big);
    const total = before.rows + before.edits + before.metrics;
    const child = spawnChild(childFile, [wsDir, String(big)]);
    // Kill it once it has deleted a good many chunks, long before it is done.
    await waitForChild(
      child,
      () => {
        const o = owned(big);
        return o.rows + o.edits + o.metrics <= total - 20_000;
      },
      'the child never deleted rows',
    );
    child.kill('SIGKILL');
    expect(await child.exited).toBe('SIGKILL');
    expect(child.out()).toContain('hidden');
    expect(child.out()).not.toContain('finished');

    const left = owned(big);
    expect(left.project).toBe(1); // cut short half-way …
    expect(left.rows + left.edits + left.metrics).toBeGreaterThan(0);
    const next = openWorkspace(wsDir); // … the next start:
    try {
      const datasets = new DatasetsService(ctx(next), { useWorker: false });
      const svc = new ProjectsService(ctx(next));
      expect((await svc.list()).map((p) => p.name)).toEqual(['Keep']); // still hidden
      expect(await svc.removalsResumed).toEqual([big]);
      expect(await datasets.removalsResumed).toEqual([]); // its datasets are the project removal's
      expect(await datasets.cleanedUp).toEqual([]); // not mistaken for an abandoned import
      expect(owned(big)).toEqual(NOTHING);
      expect(fs.existsSync(next.paths.project(big))).toBe(false);
      // Every other project, dataset, row, run, metric and artifact is untouched.
      expect(owned(keepProject)).toEqual(KEPT);
      expect(count("SELECT COUNT(*) AS n FROM datasets WHERE state <> 'ready'")).toBe(0);
      expect(count("SELECT COUNT(*) AS n FROM projects WHERE state <> 'ready'")).toBe(0);
      expect(count('SELECT COUNT(*) AS n FROM projects')).toBe(1);
      expect(fs.existsSync(next.paths.project(keepProject))).toBe(true);
      datasets.dispose();
      svc.dispose();
    } finally {
      next.close();
    }
  }, 240_000);
});
