// A large import must neither block the workspace's other writers (a training run stores a metric row per step)
// nor leave anything behind when its process is killed. Real processes and threads: a worker-thread import beside
// a writer on another connection, and a child process SIGKILLed mid-import.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleScript, NODE_BUNDLE, spawnChild, waitForChild } from '../helpers/killed-child.js';
import { startMetricWriter } from '../helpers/metric-writer-probe.js';
import { tempHome } from '../helpers/temp-home.js';
import { DatasetsService } from '../../main/datasets/datasets-service.js';
import { runImport } from '../../main/datasets/import-pipeline.js';
import type { WriterStats } from '../../main/db/dataset-import-writer.js';
import { rowFileIds, rowFilePath } from '../../main/db/dataset-row-file.js';
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

// The real import worker, except that its thread exits abruptly once its writer thread has written some rows.
const DYING_WORKER = `
import { workerData } from 'node:worker_threads';
import fs from 'node:fs';
import { openWorkspaceDb } from './main/db/workspace-db.js';
import { rowFilePath } from './main/db/dataset-row-file.js';
const db = openWorkspaceDb(workerData.dbFile);
const timer = setInterval(() => {
  const id = db.prepare("SELECT id FROM datasets WHERE state = 'importing'").pluck().get();
  const file = id === undefined ? '' : rowFilePath(workerData.dbFile, id);
  if (file && fs.existsSync(file) && fs.statSync(file).size >= Number(process.env.DIE_AFTER_BYTES)) process.exit(7);
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
const rowFiles = () => rowFileIds(ws.paths.dbFile).length;
/** Bytes in the row file of the import under way (0 before it has one). */
function importingFileBytes(): number {
  const id = ws.db.prepare<[], number>("SELECT id FROM datasets WHERE state = 'importing'").pluck().get();
  const file = id === undefined ? undefined : rowFilePath(ws.paths.dbFile, id);
  return file && fs.existsSync(file) ? fs.statSync(file).size : 0;
}
/** Every column of a dataset's row file, in order. */
function all(id: number): unknown[] {
  const db = new Database(rowFilePath(ws.paths.dbFile, id), { readonly: true });
  try {
    return db.prepare('SELECT idx, source_row, record, content_hash FROM rows ORDER BY idx').all();
  } finally {
    db.close();
  }
}
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
    const writer = startMetricWriter(ws.paths.dbFile, runId, 50, () => {
      if (fs.existsSync(walFile)) maxWal = Math.max(maxWal, fs.statSync(walFile).size);
    });
    const t0 = performance.now();
    const r = await svc.import({ projectId, file: f, jobId: 'lock-1' });
    const seconds = (performance.now() - t0) / 1000;
    const { waits, errors } = writer.stop();
    const q = (p: number) => waits[Math.min(waits.length - 1, Math.floor(p * waits.length))]!.toFixed(1);
    const fileSize = fs.statSync(rowFilePath(ws.paths.dbFile, r.dataset.id)).size;
    console.log(
      `import of 300,000 rows in ${seconds.toFixed(1)} s beside ${waits.length} metric inserts: wait p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${waits[waits.length - 1]!.toFixed(1)} ms; ` +
        `lathe.db's WAL at most ${(maxWal / 2 ** 20).toFixed(2)} MiB (row file ${(fileSize / 2 ** 20).toFixed(1)} MiB)`,
    );
    expect(errors).toEqual([]);
    expect(r.rows).toBe(300_000);
    expect(waits.length).toBeGreaterThan(10);
    expect(count('SELECT COUNT(*) AS n FROM run_metrics WHERE run_id = ?', runId)).toBe(waits.length);
    expect(waits[waits.length - 1]!).toBeLessThan(2500); // generous: the old single transaction made this 5 s + an error
    // The rows went into their own file, not through lathe.db: its WAL holds the metric inserts and the import's few
    // transactions (a heartbeat every 5 s and the publish), not the 70 MiB of rows it held before row files.
    expect(maxWal).toBeLessThan(4 * 2 ** 20);
    expect(fileSize).toBeGreaterThan(40 * 2 ** 20);
    svc.dispose();
  }, 240_000);

  it('leaves nothing visible when the importing process is SIGKILLed, and removes its rows at the next start', async () => {
    const f = bigCsv(300_000);
    const before = { datasets: count('SELECT COUNT(*) AS n FROM datasets'), files: rowFiles() };
    const child = spawnChild(childFile, [wsDir, f, String(projectId)]);
    // Kill it once it has written a good many rows into its file.
    await waitForChild(child, () => importingFileBytes() >= 4 * 2 ** 20, 'the child never wrote rows', {
      everyMs: 20,
      check: () => expect(child.out()).not.toContain('finished'),
    });
    // Another process starting now must leave a live import alone.
    const early = service(ws);
    expect(await early.cleanedUp).toEqual([]);
    expect((await early.list({ projectId })).length).toBe(before.datasets);
    expect(rowFiles()).toBe(before.files + 1);
    child.kill('SIGKILL');
    expect(await child.exited).toBe('SIGKILL');
    expect(child.out()).not.toContain('finished');

    expect(importingFileBytes()).toBeGreaterThanOrEqual(4 * 2 ** 20); // the killed import's file is still there …
    const next = openWorkspace(wsDir); // … the next start:
    try {
      const svc = service(next);
      expect((await svc.list({})).length).toBe(before.datasets); // nothing the user can see, even before cleanup
      expect((await svc.cleanedUp).length).toBe(1);
      expect(rowFiles()).toBe(before.files);
      expect(count('SELECT COUNT(*) AS n FROM datasets')).toBe(before.datasets);
      expect(count("SELECT COUNT(*) AS n FROM datasets WHERE state <> 'ready'")).toBe(0);
    } finally {
      next.close();
    }
  }, 240_000);

  it('removes what a worker thread wrote when the thread dies mid-import', async () => {
    const f = bigCsv(300_000);
    const filesBefore = rowFiles();
    const svc = service(ws, dyingWorkerFile);
    process.env.DIE_AFTER_BYTES = String(2 * 2 ** 20); // the worker thread gets a copy of the environment
    const p = svc.import({ projectId, file: f, jobId: 'dies', allowDuplicate: true });
    delete process.env.DIE_AFTER_BYTES;
    await expect(p).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('exit code 7') });
    expect(rowFiles()).toBe(filesBefore);
    expect(count("SELECT COUNT(*) AS n FROM datasets WHERE state <> 'ready'")).toBe(0);
  }, 240_000);

  it('writes through a writer thread (SQLite on another core): the same rows as on one thread; cancel and bad rows leave nothing', async () => {
    const f = bigCsv(30_000);
    const store = new DatasetsStore(ws.db);
    const job = { projectId, file: f, options: {}, skipBad: true, allowDuplicate: true };
    let stats: WriterStats | null = null;
    const threaded = await runImport(store, job, { rowThreadFile, onWritten: (s) => (stats = s) });
    const inline = await runImport(store, job, { rowThreadFile: null });
    expect(stats!.transactions).toBeGreaterThanOrEqual(1); // the publish (and a heartbeat every 5 s)
    expect(stats!.publishMs).toBeGreaterThan(0);
    expect(threaded.rows).toBe(30_000);
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

    const before = rowFiles();
    const ac = new AbortController();
    const cancelled = runImport(store, { ...job, file: bigCsv(300_000) }, { rowThreadFile, signal: ac.signal, onProgress: (p) => p.rows >= 12_000 && ac.abort() });
    await expect(cancelled).rejects.toMatchObject({ code: 'cancelled' });
    // A bad row without skipBad: the thread's rows are removed after the batch, the rest is only validated.
    const bad = path.join(home.dir, 'bad.csv');
    fs.writeFileSync(bad, fs.readFileSync(f, 'utf8') + '\n"问题","",产品1\n'); // an empty answer
    await expect(runImport(store, { ...job, file: bad, skipBad: false }, { rowThreadFile })).rejects.toMatchObject({ code: 'bad_input' });
    expect(rowFiles()).toBe(before);
    expect(count("SELECT COUNT(*) AS n FROM datasets WHERE state <> 'ready'")).toBe(0);
  }, 240_000);
});
