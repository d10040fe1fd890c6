// A large import must neither block the workspace's other writers (a training run stores a metric row per step)
// nor leave anything behind when its process is killed. Real processes and threads: a worker-thread import beside
// a writer on another connection, and a child process SIGKILLed mid-import.
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleScript, NODE_BUNDLE, spawnChild, waitForChild } from '../helpers/killed-child.js';
import { startMetricWriter } from '../helpers/metric-writer-probe.js';
import { tempHome } from '../helpers/temp-home.js';
import { DatasetsService } from '../../main/datasets/datasets-service.js';
import { runImport } from '../../main/datasets/import-pipeline.js';
import type { WriterStats } from '../../main/db/dataset-import-writer.js';
import { DatasetsStore } from '../../main/db/datasets-store.js';
import { ProjectsStore } from '../../main/db/projects-store.js';
import { EventHub } from '../../main/ipc/event-hub.js';
import { openWorkspace, type Workspace } from '../../main/workspace/workspace.js';

const cache = path.resolve('node_modules/.cache/lathe-test');
// As in the built app: the import worker with the writer thread beside it (so imports write on a nested thread).
const appDir = path.join(cache, `lock-${process.pid}`);
const workerFile = path.join(appDir, 'import-worker.mjs');
const childFile = path.join(cache, `import-child-${process.pid}.mjs`);
const dyingWorkerFile = path.join(cache, `import-worker-dying-${process.pid}.mjs`);
const rowThreadFile = path.join(cache, `row-write-thread-${process.pid}.mjs`);
const home = tempHome();
const wsDir = path.join(home.dir, 'ws');
let ws: Workspace;
let projectId: number;

// The child: imports argv[3] into the workspace argv[2] (project argv[4]) with the real pipeline, inline.
const CHILD = `
import { openWorkspace } from './main/workspace/workspace.js';
import { DatasetsStore } from './main/db/datasets-store.js';
import { runImport } from './main/datasets/import-pipeline.js';
const [home, file, projectId] = process.argv.slice(2);
const ws = openWorkspace(home);
await runImport(new DatasetsStore(ws.db), { projectId: Number(projectId), file, options: {}, skipBad: true, allowDuplicate: true });
process.stdout.write('finished\\n');
`;

// The real import worker, except that its thread exits abruptly once it has written some rows.
const DYING_WORKER = `
import { workerData } from 'node:worker_threads';
import { openWorkspaceDb } from './main/db/workspace-db.js';
const db = openWorkspaceDb(workerData.dbFile);
const timer = setInterval(() => {
  if (db.prepare('SELECT COUNT(*) AS n FROM dataset_rows').get().n >= Number(process.env.DIE_AFTER_ROWS)) process.exit(7);
}, 5);
timer.unref();
await import('./main/datasets/import-worker.ts');
`;

beforeAll(async () => {
  const common = NODE_BUNDLE;
  await esbuild.build({ ...common, entryPoints: [path.resolve('main/datasets/import-worker.ts')], outfile: workerFile });
  await esbuild.build({ ...common, entryPoints: [path.resolve('main/datasets/row-write-thread.ts')], outfile: path.join(appDir, 'row-write-thread.js') });
  await bundleScript(CHILD, childFile);
  await esbuild.build({ ...common, entryPoints: [path.resolve('main/datasets/row-write-thread.ts')], outfile: rowThreadFile });
  await bundleScript(DYING_WORKER, dyingWorkerFile);
  ws = openWorkspace(wsDir);
  projectId = new ProjectsStore(ws.db).create('Lock').id;
});
afterAll(() => {
  ws.close();
  home.cleanup();
  for (const f of [appDir, childFile, dyingWorkerFile, rowThreadFile]) fs.rmSync(f, { recursive: true, force: true });
});

function bigCsv(rows: number): string {
  const f = path.join(home.dir, `big-${rows}.csv`);
  if (fs.existsSync(f)) return f;
  const lines = ['问题,回复,产品'];
  for (let i = 0; i < rows; i++) lines.push(`"我的订单还没有发货（${i}）","您好，订单已经发出，预计三天内送达。\n物流单号 ""${i}"" 已发送到您的手机。",产品${i % 7}`);
  fs.writeFileSync(f, lines.join('\n'));
  return f;
}

const count = (sql: string, ...args: unknown[]) => (ws.db.prepare(sql).get(...args) as { n: number }).n;
const service = (w: Workspace, workerFile?: string) => new DatasetsService({ workspace: w, events: new EventHub(), transport: 'electron' }, workerFile ? { useWorker: true, workerFile } : { useWorker: false });

describe('large imports and the workspace write lock', () => {
  it('lets a writer on another connection insert every 50 ms during a large worker import (rows written on a nested writer thread), without errors or long waits', async () => {
    const f = bigCsv(300_000);
    const svc = service(ws, workerFile);
    // A training run's metric writer, on its own connection as a run's owner process would have.
    const runId = Number(
      ws.db.prepare("INSERT INTO runs (project_id, name, status, config, created_at) VALUES (?, 'r', 'running', '{}', ?)").run(projectId, new Date().toISOString()).lastInsertRowid,
    );
    const walFile = `${ws.paths.dbFile}-wal`;
    let maxWal = 0;
    // Each time the WAL is restarted (every frame checkpointed, writing begins again at its start), SQLite gives its
    // header a new salt-1 (bytes 16..19): the distinct salts seen while the import runs count the restarts.
    const salts = new Set<number>();
    const header = Buffer.alloc(32);
    const writer = startMetricWriter(ws.paths.dbFile, runId, 50, () => {
      if (!fs.existsSync(walFile)) return;
      maxWal = Math.max(maxWal, fs.statSync(walFile).size);
      const fd = fs.openSync(walFile, 'r');
      if (fs.readSync(fd, header, 0, 32, 0) === 32) salts.add(header.readUInt32BE(16));
      fs.closeSync(fd);
    });
    const t0 = performance.now();
    const r = await svc.import({ projectId, file: f, jobId: 'lock-1' });
    const seconds = (performance.now() - t0) / 1000;
    const { waits, errors } = writer.stop();
    const q = (p: number) => waits[Math.min(waits.length - 1, Math.floor(p * waits.length))]!.toFixed(1);
    const dbSize = fs.statSync(ws.paths.dbFile).size;
    console.log(`import of 300,000 rows in ${seconds.toFixed(1)} s beside ${waits.length} metric inserts: wait p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${waits[waits.length - 1]!.toFixed(1)} ms; WAL at most ${(maxWal / 2 ** 20).toFixed(1)} MiB (database ${(dbSize / 2 ** 20).toFixed(1)} MiB), restarted ${salts.size - 1} times`);
    expect(errors).toEqual([]);
    expect(r.rows).toBe(300_000);
    expect(waits.length).toBeGreaterThan(10);
    expect(count('SELECT COUNT(*) AS n FROM run_metrics WHERE run_id = ?', runId)).toBe(waits.length);
    expect(waits[waits.length - 1]!).toBeLessThan(2500); // generous: the old single transaction made this 5 s + an error
    // The WAL is checkpointed while the import writes (not all at the end, nor by whoever commits next), so it is
    // restarted during the import, and truncated after it. How large it grows between restarts depends on how busy
    // the machine is (a loaded CI run reached 62 of 70 MiB), so the test counts restarts rather than bytes; left to
    // the end, the WAL would never restart and hold every page the import wrote.
    expect(salts.size).toBeGreaterThan(2);
    expect(fs.existsSync(walFile) ? fs.statSync(walFile).size : 0).toBeLessThan(dbSize * 0.8);
    svc.dispose();
  }, 240_000);

  it('leaves nothing visible when the importing process is SIGKILLed, and removes its rows at the next start', async () => {
    const f = bigCsv(300_000);
    const before = { datasets: count('SELECT COUNT(*) AS n FROM datasets'), rows: count('SELECT COUNT(*) AS n FROM dataset_rows') };
    const child = spawnChild(childFile, [wsDir, f, String(projectId)]);
    // Kill it once it has committed a good many chunks of rows.
    await waitForChild(child, () => count('SELECT COUNT(*) AS n FROM dataset_rows') - before.rows >= 20_000, 'the child never wrote rows', {
      everyMs: 20,
      check: () => expect(child.out()).not.toContain('finished'),
    });
    // Another process starting now must leave a live import alone.
    const early = service(ws);
    expect(await early.cleanedUp).toEqual([]);
    expect((await early.list({ projectId })).length).toBe(before.datasets);
    child.kill('SIGKILL');
    expect(await child.exited).toBe('SIGKILL');
    expect(child.out()).not.toContain('finished');

    const left = count('SELECT COUNT(*) AS n FROM dataset_rows') - before.rows;
    expect(left).toBeGreaterThanOrEqual(20_000); // the killed import's chunks are still there …
    const next = openWorkspace(wsDir); // … the next start:
    try {
      const svc = service(next);
      expect((await svc.list({})).length).toBe(before.datasets); // nothing the user can see, even before cleanup
      expect((await svc.cleanedUp).length).toBe(1);
      expect(count('SELECT COUNT(*) AS n FROM dataset_rows')).toBe(before.rows);
      expect(count('SELECT COUNT(*) AS n FROM datasets')).toBe(before.datasets);
      expect(count("SELECT COUNT(*) AS n FROM datasets WHERE state <> 'ready'")).toBe(0);
    } finally {
      next.close();
    }
  }, 240_000);

  it('removes what a worker thread wrote when the thread dies mid-import', async () => {
    const f = bigCsv(300_000);
    const rowsBefore = count('SELECT COUNT(*) AS n FROM dataset_rows');
    const svc = service(ws, dyingWorkerFile);
    process.env.DIE_AFTER_ROWS = String(rowsBefore + 8000); // the worker thread gets a copy of the environment
    const p = svc.import({ projectId, file: f, jobId: 'dies', allowDuplicate: true });
    delete process.env.DIE_AFTER_ROWS;
    await expect(p).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('exit code 7') });
    expect(count('SELECT COUNT(*) AS n FROM dataset_rows')).toBe(rowsBefore);
    expect(count("SELECT COUNT(*) AS n FROM datasets WHERE state <> 'ready'")).toBe(0);
  }, 240_000);

  it('writes through a writer thread (SQLite on another core): the same rows as on one thread; cancel and bad rows leave nothing', async () => {
    const f = bigCsv(30_000);
    const store = new DatasetsStore(ws.db);
    const job = { projectId, file: f, options: {}, skipBad: true, allowDuplicate: true };
    let stats: WriterStats | null = null;
    const threaded = await runImport(store, job, { rowThreadFile, onWritten: (s) => (stats = s) });
    const inline = await runImport(store, job, { rowThreadFile: null });
    expect(stats).toMatchObject({ chunks: 9 }); // 7 full chunks, the rest, the publish
    expect(threaded.rows).toBe(30_000);
    const all = (id: number) => ws.db.prepare('SELECT idx, source_row, record, content_hash FROM dataset_rows WHERE dataset_id = ? ORDER BY idx').all(id);
    expect(all(threaded.dataset.id)).toEqual(all(inline.dataset.id));

    // Records other than {kind, instruction, output} reach the thread as JSON (a system prompt here): the same rows too.
    const small = path.join(home.dir, 'system.csv');
    fs.writeFileSync(small, ['问题,回复,产品', '"a\tb","c ""d""",产品1', '" x ","\ud83d\ude00 y",', 'q,a,"s\nt"'].join('\n'));
    const withSystem = { ...job, file: small, mapping: { shape: 'single' as const, fields: { instruction: { columns: ['问题'] }, output: { columns: ['回复'] }, system: { columns: ['产品'] } } } };
    const sysThreaded = await runImport(store, withSystem, { rowThreadFile });
    const sysInline = await runImport(store, withSystem, { rowThreadFile: null });
    expect(sysThreaded.rows).toBe(3);
    expect(all(sysThreaded.dataset.id)).toEqual(all(sysInline.dataset.id));
    expect((all(sysThreaded.dataset.id) as { record: string }[]).map((r) => JSON.parse(r.record).system)).toEqual(['产品1', undefined, 's\nt']);

    const before = count('SELECT COUNT(*) AS n FROM dataset_rows');
    const ac = new AbortController();
    const cancelled = runImport(store, { ...job, file: bigCsv(300_000) }, { rowThreadFile, signal: ac.signal, onProgress: (p) => p.rows >= 12_000 && ac.abort() });
    await expect(cancelled).rejects.toMatchObject({ code: 'cancelled' });
    // A bad row without skipBad: the thread's rows are removed after the batch, the rest is only validated.
    const bad = path.join(home.dir, 'bad.csv');
    fs.writeFileSync(bad, fs.readFileSync(f, 'utf8') + '\n"问题","",产品1\n'); // an empty answer
    await expect(runImport(store, { ...job, file: bad, skipBad: false }, { rowThreadFile })).rejects.toMatchObject({ code: 'bad_input' });
    expect(count('SELECT COUNT(*) AS n FROM dataset_rows')).toBe(before);
    expect(count("SELECT COUNT(*) AS n FROM datasets WHERE state <> 'ready'")).toBe(0);
  }, 240_000);
});
