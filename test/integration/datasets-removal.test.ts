// Removing a large dataset must not block the workspace's other writers (it used to be one transaction deleting
// every row; now its many edits go in short transactions and its row file at once), and a process killed half-way
// through must lose nothing else and finish the removal at the next start.
// Real processes: a writer on another connection beside the removal, and a child process SIGKILLed mid-removal.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleScript, spawnChild, waitForChild } from '../helpers/killed-child.js';
import { startMetricWriter } from '../helpers/metric-writer-probe.js';
import { editCount, seedDataset, storedRowCount } from '../helpers/seed-dataset.js';
import { tempHome } from '../helpers/temp-home.js';
import { DatasetsService } from '../../main/datasets/datasets-service.js';
import { ProjectsStore } from '../../main/db/projects-store.js';
import { EventHub } from '../../main/ipc/event-hub.js';
import { openWorkspace, type Workspace } from '../../main/workspace/workspace.js';

const childFile = path.resolve('node_modules/.cache/lathe-test', `remove-child-${process.pid}.mjs`);
const home = tempHome();
const wsDir = path.join(home.dir, 'ws');
let ws: Workspace;
let projectId: number;

// The child: removes dataset argv[3] from the workspace argv[2] through the service, as the app does.
const CHILD = `
import { openWorkspace } from './main/workspace/workspace.js';
import { DatasetsService } from './main/datasets/datasets-service.js';
import { EventHub } from './main/ipc/event-hub.js';
const [home, id] = process.argv.slice(2);
const ws = openWorkspace(home);
const svc = new DatasetsService({ workspace: ws, events: new EventHub(), transport: 'electron' }, { useWorker: false });
await svc.remove({ id: Number(id) });
process.stdout.write('hidden\\n');
await svc.removals.idle();
process.stdout.write('finished\\n');
`;

beforeAll(async () => {
  await bundleScript(CHILD, childFile);
  ws = openWorkspace(wsDir);
  projectId = new ProjectsStore(ws.db).create('Removal').id;
});
afterAll(() => {
  ws.close();
  home.cleanup();
  fs.rmSync(childFile, { force: true });
});

const dataset = (name: string, rows: number, excluded = 0) => seedDataset(ws.db, projectId, name, rows, excluded);
const count = (sql: string, ...args: unknown[]) => (ws.db.prepare(sql).get(...args) as { n: number }).n;
const rowsOf = (id: number) => storedRowCount(ws.db, id);
const editsOf = (id: number) => editCount(ws.db, id);
const service = (w: Workspace) => new DatasetsService({ workspace: w, events: new EventHub(), transport: 'electron' }, { useWorker: false });

describe('removing a large dataset', () => {
  it('hides it at once and deletes its edits in short transactions, then its rows, while another connection keeps writing', async () => {
    const keep = dataset('keep', 1_000, 10);
    const big = dataset('big', 300_000, 300_000);
    const svc = service(ws);
    const runId = Number(
      ws.db.prepare("INSERT INTO runs (project_id, name, status, config, created_at) VALUES (?, 'r', 'running', '{}', ?)").run(projectId, new Date().toISOString()).lastInsertRowid,
    );
    // A training run's metric writer on its own connection, every 20 ms while the removal runs.
    const writer = startMetricWriter(ws.paths.dbFile, runId, 20);

    const t0 = performance.now();
    await svc.remove({ id: big });
    const hideMs = performance.now() - t0;
    // Gone for every reader at once, its name free again, though its rows are still being deleted.
    await expect(svc.get({ id: big })).rejects.toMatchObject({ code: 'not_found' });
    expect((await svc.list({ projectId })).map((d) => d.name)).toEqual(['keep']);
    expect(rowsOf(big)).toBe(300_000);
    expect(editsOf(big)).toBeGreaterThan(0);
    expect(dataset('big', 10)).toBeGreaterThan(big);
    await svc.removals.idle();
    const seconds = (performance.now() - t0) / 1000;
    const { waits, errors } = writer.stop();
    console.log(`removal of 300,000 rows, all excluded: hidden in ${hideMs.toFixed(1)} ms, edits and rows deleted in ${seconds.toFixed(1)} s beside ${waits.length} metric inserts (longest wait ${waits[waits.length - 1]!.toFixed(1)} ms)`);

    expect(hideMs).toBeLessThan(1000);
    expect(errors).toEqual([]);
    expect(waits.length).toBeGreaterThan(10);
    expect(count('SELECT COUNT(*) AS n FROM run_metrics WHERE run_id = ?', runId)).toBe(waits.length);
    expect(waits[waits.length - 1]!).toBeLessThan(1000);
    expect(rowsOf(big)).toBe(0);
    expect(editsOf(big)).toBe(0);
    expect(count('SELECT COUNT(*) AS n FROM datasets WHERE id = ?', big)).toBe(0);
    expect(count('SELECT COUNT(*) AS n FROM mappings WHERE dataset_id = ?', big)).toBe(0);
    expect(rowsOf(keep)).toBe(1_000);
    expect(editsOf(keep)).toBe(10);
    svc.dispose();
  }, 240_000);

  it('loses nothing else when the removing process is SIGKILLed, and finishes the removal at the next start', async () => {
    const ready = () => ws.db.prepare<[], number>("SELECT id FROM datasets WHERE state = 'ready'").pluck().all();
    const keep = ready().reduce((n, id) => n + rowsOf(id) + editsOf(id), 0);
    const keepSets = ready().length;
    const big = dataset('doomed', 400_000, 400_000);
    const child = spawnChild(childFile, [wsDir, String(big)]);
    // Kill it once it has deleted a good many chunks of edits, long before it is done.
    await waitForChild(child, () => editsOf(big) <= 400_000 - 20_000, 'the child never deleted edits');
    child.kill('SIGKILL');
    expect(await child.exited).toBe('SIGKILL');
    expect(child.out()).toContain('hidden');
    expect(child.out()).not.toContain('finished');

    const left = editsOf(big);
    expect(left).toBeGreaterThan(0); // cut short half-way …
    expect(left).toBeLessThan(400_000);
    expect(rowsOf(big)).toBe(400_000);
    const next = openWorkspace(wsDir); // … the next start:
    try {
      const svc = service(next);
      expect((await svc.list({ projectId })).some((d) => d.id === big)).toBe(false); // still hidden
      expect(await svc.removalsResumed).toEqual([big]);
      expect(await svc.cleanedUp).toEqual([]); // not mistaken for an abandoned import
      expect(rowsOf(big)).toBe(0);
      expect(editsOf(big)).toBe(0);
      expect(count('SELECT COUNT(*) AS n FROM datasets WHERE id = ?', big)).toBe(0);
      // Every other dataset, row and edit is untouched.
      expect(ready().reduce((n, id) => n + rowsOf(id) + editsOf(id), 0)).toBe(keep);
      expect(count("SELECT COUNT(*) AS n FROM datasets WHERE state = 'ready'")).toBe(keepSets);
      expect(count("SELECT COUNT(*) AS n FROM datasets WHERE state <> 'ready'")).toBe(0);
      svc.dispose();
    } finally {
      next.close();
    }
  }, 240_000);
});
