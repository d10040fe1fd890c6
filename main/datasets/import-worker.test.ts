import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../../test/helpers/temp-home.js';
import { ProjectsStore } from '../db/projects-store.js';
import { EventHub } from '../ipc/event-hub.js';
import { openWorkspace, type Workspace } from '../workspace/workspace.js';
import { DatasetsService } from './datasets-service.js';

// The worker runs compiled JavaScript; bundle it from the sources (packages stay external, resolved from the repo).
const workerFile = path.resolve('node_modules/.cache/lathe-test', `import-worker-${process.pid}.mjs`);
const home = tempHome();
let ws: Workspace;
let svc: DatasetsService;
let projectId: number;
const events: [string, unknown][] = [];

beforeAll(async () => {
  await esbuild.build({ entryPoints: [path.resolve('main/datasets/import-worker.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: workerFile, logLevel: 'silent' });
  ws = openWorkspace(path.join(home.dir, 'ws'));
  const hub = new EventHub();
  hub.subscribe((n, p) => events.push([n, p]));
  svc = new DatasetsService({ workspace: ws, events: hub, transport: 'electron' }, { useWorker: true, workerFile });
  projectId = new ProjectsStore(ws.db).create('W').id;
});
afterAll(() => {
  ws.close();
  home.cleanup();
  fs.rmSync(workerFile, { force: true });
});

function bigCsv(rows: number): string {
  const f = path.join(home.dir, `big-${rows}.csv`);
  const lines = ['question,answer'];
  for (let i = 0; i < rows; i++) lines.push(`"问题 ${i}\n第二行",answer ${i}`);
  fs.writeFileSync(f, lines.join('\n'));
  return f;
}

describe('imports in a worker thread', () => {
  it('imports while the main thread stays free, with progress events, visible to the main connection', async () => {
    const f = bigCsv(100_000);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const r = await svc.import({ projectId, file: f, jobId: 'w1' });
    clearInterval(timer);
    expect(r).toMatchObject({ rows: 100_000, dataset: { rowCount: 100_000 } });
    expect(ticks).toBeGreaterThan(5);
    expect(events.filter(([n, p]) => n === 'datasets.importProgress' && (p as { jobId: string }).jobId === 'w1').length).toBeGreaterThan(1);
    expect((await svc.rows({ id: r.dataset.id, offset: 99_999, limit: 1 })).rows[0]).toMatchObject({ sourceRow: 100_001, record: { instruction: '问题 99999\n第二行' } });
  });

  it('cancels in the worker and rolls back; errors come back as LatheErrors', async () => {
    const f = bigCsv(300_000);
    const before = (await svc.list({})).length;
    // Cancelled at its first progress event from the worker (after its first few thousand rows): long before its end.
    const seen = events.length;
    const p = svc.import({ projectId, file: f, jobId: 'w2' });
    await expect.poll(() => events.slice(seen).some(([n, e]) => n === 'datasets.importProgress' && (e as { jobId: string; phase: string }).jobId === 'w2' && (e as { phase: string }).phase === 'reading')).toBe(true);
    expect(await svc.cancel({ jobId: 'w2' })).toEqual({ cancelled: true });
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect((await svc.list({})).length).toBe(before);
    await expect(svc.import({ projectId, file: path.join(home.dir, 'missing.csv') })).rejects.toMatchObject({ code: 'not_found' });
  });
});
