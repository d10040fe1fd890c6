import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledWorker } from '../../test/helpers/bundled-worker.js';
import { DatasetsStore } from '../db/datasets-store.js';
import { ProjectsStore } from '../db/projects-store.js';
import { openWorkspace } from '../workspace/workspace.js';
import { PreviewService, previewDepsFor } from './preview-service.js';
import { storedDatasetRecords } from './stored-dataset.js';

describe('stored datasets as a preview source', () => {
  it('reads edited, non-excluded rows of one split', async () => {
    const ws = openWorkspace(mkdtempSync(join(tmpdir(), 'lathe-stored-')));
    const project = new ProjectsStore(ws.db).create('p');
    const store = new DatasetsStore(ws.db);
    const w = store.beginImport({ projectId: project.id, name: 'd', sourceName: 'd.jsonl', sourceSha256: '', sourceSize: 1, format: 'jsonl', readerOptions: {}, shape: 'single' });
    for (let i = 0; i < 10; i++) w.add(i, JSON.stringify({ kind: 'single', instruction: `q${i}`, output: `a${i}` }), `h${i}`);
    const d = w.commit(0, 'single', 'sha', { fields: {} } as never);
    store.edit(d.id, 0, { kind: 'single', instruction: 'edited', output: 'x' });
    store.exclude(d.id, 1, true);
    store.setSplit(d.id, 7, 0.2);
    const train = storedDatasetRecords(ws.db, d.id, 'train');
    const val = storedDatasetRecords(ws.db, d.id, 'validation');
    expect(train.length + val.length).toBe(9);
    expect(val.length).toBe(2);
    expect([...train, ...val].some((r) => r.kind === 'single' && r.instruction === 'edited')).toBe(true);
    expect([...train, ...val].some((r) => r.kind === 'single' && r.instruction === 'q1')).toBe(false);

    const svc = new PreviewService({ ...previewDepsFor(ws), measureWorkerFile: await bundledWorker('main/preview/measure-worker.ts') });
    const res = await svc.dataset({ modelPath: 'data/models/lathe-tiny-llama', datasetId: d.id, split: 'train', rows: 1 });
    expect(res.stats.records).toBe(7);
    ws.db.close();
  });
});
