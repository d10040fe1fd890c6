import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowFileIds } from '../db/dataset-row-file.js';
import { DatasetsStore } from '../db/datasets-store.js';
import { ProjectsStore } from '../db/projects-store.js';
import { openWorkspace, type Workspace } from '../workspace/workspace.js';
import { runImport } from './import-pipeline.js';

let dir: string;
let ws: Workspace;
let store: DatasetsStore;
let projectId: number;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lathe-import-'));
  ws = openWorkspace(path.join(dir, 'home'));
  store = new DatasetsStore(ws.db);
  projectId = new ProjectsStore(ws.db).create('P').id;
});
afterAll(() => {
  ws.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, data: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, data);
  return f;
}

const base = { options: {}, skipBad: false, allowDuplicate: false };
// Datasets in any state, and row files: what an import that must leave nothing behind could leave.
const count = () => (ws.db.prepare('SELECT COUNT(*) AS n FROM datasets').get() as { n: number }).n + rowFileIds(ws.paths.dbFile).length;

describe('import pipeline', () => {
  it('imports a csv with the suggested mapping in one go', async () => {
    const f = write('tickets.csv', 'Report\n\n问题,回复,产品\n怎么退款？,在订单页点退款。,App\n"多行\n问题",答案,Web\n');
    const r = await runImport(store, { ...base, projectId, file: f });
    expect(r).toMatchObject({ rows: 2, skipped: 0, encoding: 'utf-8', headerRow: 3, mapping: { shape: 'single', fields: { instruction: { columns: ['问题'] }, output: { columns: ['回复'] } } }, problems: [] });
    expect(r.dataset).toMatchObject({ name: 'tickets', sourceName: 'tickets.csv', format: 'csv', rowCount: 2, shape: 'single' });
    expect(r.dataset.sourceSha256).toMatch(/^[0-9a-f]{64}$/);
    const rows = store.rows(r.dataset.id, 0, 10);
    expect(rows.map((x) => [x.source_row, JSON.parse(x.record)])).toEqual([
      [4, { kind: 'single', instruction: '怎么退款？', output: '在订单页点退款。' }],
      [5, { kind: 'single', instruction: '多行\n问题', output: '答案' }],
    ]);
  });

  it('detects a re-import of the same file unless allowed', async () => {
    const f = path.join(dir, 'tickets.csv');
    await expect(runImport(store, { ...base, projectId, file: f })).rejects.toMatchObject({ code: 'already_exists', message: expect.stringContaining('“tickets”') });
    const again = await runImport(store, { ...base, projectId, file: f, allowDuplicate: true });
    expect(again.dataset.name).toBe('tickets (2)');
  });

  it('writes nothing when a row is bad and skipBad is off; skips and reports it when on', async () => {
    const before = count();
    const datasets = store.list(projectId).length;
    const f = write('bad.csv', 'question,answer\nq1,a1\nq2,\nq3,a3\n');
    const err = await runImport(store, { ...base, projectId, file: f }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad_input', details: { row: 3, column: 'answer', problemCount: 1 } });
    expect((err as Error).message).toMatch(/bad\.csv: 1 row has a problem, so nothing was imported\. First: row 3, column “answer”: Empty answer\./);
    expect(count()).toBe(before);
    expect(store.list(projectId).length).toBe(datasets);
    const ok = await runImport(store, { ...base, projectId, file: f, skipBad: true });
    expect(ok).toMatchObject({ rows: 2, skipped: 1, problems: [{ row: 3, column: 'answer', message: 'Empty answer.', code: 'dataset.emptyField', params: { field: 'output' } }] });
  });

  it('reports jsonl lines by number and an unknown mapped column by name', async () => {
    const f = write('c.jsonl', '{"instruction":"a","output":"b"}\n{oops\n{"instruction":"c","output":"d"}\n');
    const r = await runImport(store, { ...base, projectId, file: f, skipBad: true });
    expect(r).toMatchObject({ rows: 2, skipped: 1, problems: [{ row: 2, message: expect.stringMatching(/^Line 2 is not valid JSON/), code: 'dataset.lineNotJson', params: { line: 2 } }] });
    await expect(runImport(store, { ...base, projectId, file: f, allowDuplicate: true, mapping: { shape: 'single', fields: { instruction: { columns: ['prompt'] }, output: { columns: ['output'] } } } })).rejects.toMatchObject({
      code: 'bad_input',
      details: { column: 'prompt' },
    });
  });

  it('rolls back a cancelled import completely', async () => {
    const before = count();
    const lines = ['question,answer'];
    for (let i = 0; i < 200_000; i++) lines.push(`question number ${i},answer ${i}`);
    const f = write('big.csv', lines.join('\n'));
    const ac = new AbortController();
    let seen = 0;
    const p = runImport(store, { ...base, projectId, file: f }, { signal: ac.signal, onProgress: (e) => ((seen = e.rows), ac.abort()) });
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect(seen).toBeGreaterThanOrEqual(0);
    expect(count()).toBe(before);
    expect(store.list(projectId).some((d) => d.sourceName === 'big.csv')).toBe(false);
    expect(ws.db.inTransaction).toBe(false);
  });

  it('asks for a mapping when it cannot guess one', async () => {
    const f = write('nums.csv', 'a,b\n1,2\n3,4\n');
    await expect(runImport(store, { ...base, projectId, file: f })).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(/--map instruction=COLUMN/) });
  });
});
