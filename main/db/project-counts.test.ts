// A project's counts agree with what the listings show, and its updated time follows datasets, runs and exports
// being added or removed (migration 011's triggers), whoever writes them.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunConfig } from '../../preload/contract/runs.js';
import { tempHome } from '../../test/helpers/temp-home.js';
import { openWorkspace } from '../workspace/workspace.js';
import { DatasetsStore } from './datasets-store.js';
import { ExportsStore } from './exports-store.js';
import { ProjectsStore } from './projects-store.js';
import { RunsStore } from './runs-store.js';

const home = tempHome();
const ws = openWorkspace(path.join(home.dir, 'ws'));
afterAll(() => (ws.close(), home.cleanup()));

const projects = new ProjectsStore(ws.db);
const runs = new RunsStore(ws.db);
const exportsStore = new ExportsStore(ws.db, ws.paths.home);
const datasets = new DatasetsStore(ws.db);
const config = RunConfig.parse({ model: '/m/tiny', datasets: [{ name: 'd' }], template: 'chatml' });
const tick = () => new Promise((r) => setTimeout(r, 5));

/** Runs `change` and says whether the project's updated time moved forward. */
async function touches(projectId: number, change: () => void): Promise<boolean> {
  const before = projects.get(projectId).updatedAt;
  await tick();
  change();
  return projects.get(projectId).updatedAt > before;
}

describe('project counts and updated time', () => {
  it('counts only the exports the Export page lists, not adapters and checkpoints', () => {
    const p = projects.create('Counts');
    const run = runs.create(p.id, 'r #1', config, null);
    runs.addArtifact(p.id, run.row.id, 'checkpoint', 'c/1', 1, { step: 1 });
    runs.addArtifact(p.id, run.row.id, 'checkpoint', 'c/2', 1, { step: 2 });
    runs.addArtifact(p.id, run.row.id, 'adapter', 'a', 1, { step: 2 });
    for (const format of ['peft', 'gguf']) exportsStore.add({ projectId: p.id, runId: run.row.id, format, out: path.join(ws.paths.home, format), bytes: 1, verification: [], options: {} });
    const dto = projects.get(p.id);
    expect(dto).toMatchObject({ runCount: 1, exportCount: 2 });
    expect(dto.exportCount).toBe(exportsStore.list({ projectId: p.id }).length);
    expect(projects.list().find((x) => x.id === p.id)?.exportCount).toBe(2);
  });

  it('moves the updated time when a run, an export or a dataset is added or removed, not for checkpoints', async () => {
    const p = projects.create('Touched');
    let runId = 0;
    expect(await touches(p.id, () => (runId = runs.create(p.id, 'r', config, null).row.id))).toBe(true);
    expect(await touches(p.id, () => runs.addArtifact(p.id, runId, 'checkpoint', 'c/1', 1, { step: 1 }))).toBe(false);
    let exportId = 0;
    expect(await touches(p.id, () => (exportId = exportsStore.add({ projectId: p.id, runId, format: 'merged', out: '/x/merged', bytes: 1, verification: [], options: {} }).id))).toBe(true);
    expect(await touches(p.id, () => exportsStore.remove(exportId))).toBe(true);
    expect(await touches(p.id, () => runs.remove(runId))).toBe(true);
    const meta = { projectId: p.id, name: 'd', sourceName: 'd.csv', sourceSha256: '', sourceSize: 1, format: 'csv', readerOptions: {}, shape: 'single' };
    const w = datasets.beginImport(meta);
    expect(await touches(p.id, () => undefined)).toBe(false); // an unfinished import is not in the project yet
    let datasetId = 0;
    expect(await touches(p.id, () => (datasetId = w.commit(0, 'text', 'abc', { shape: 'text', fields: { text: { columns: ['t'] } } }).id))).toBe(true);
    expect(await touches(p.id, () => datasets.remove(datasetId))).toBe(true);
    // The newest-changed project is listed first.
    expect(projects.list()[0]!.id).toBe(p.id);
  });
});
