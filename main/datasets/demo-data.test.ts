import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempHome } from '../../test/helpers/temp-home.js';
import { ProjectsStore } from '../db/projects-store.js';
import { EventHub } from '../ipc/event-hub.js';
import { openWorkspace } from '../workspace/workspace.js';
import { DatasetsService } from './datasets-service.js';

const DEMO = path.resolve('data/demo/support-tickets.xlsx');
const home = tempHome();
const ws = openWorkspace(path.join(home.dir, 'ws'));
afterAll(() => (ws.close(), home.cleanup()));

describe('bundled demo spreadsheet', () => {
  it('imports as 200 single-turn tickets with the header under the title and blank rows counted', async () => {
    const svc = new DatasetsService({ workspace: ws, events: new EventHub(), transport: 'electron' }, { useWorker: false });
    const inspection = await svc.inspect({ file: DEMO });
    expect(inspection.sheets).toEqual([
      { name: 'Tickets 工单', rows: 202, looksLikeTable: true },
      { name: 'About', rows: 2, looksLikeTable: false },
    ]);
    expect(inspection.suggestion.confidence).toBe(1);
    const projectId = new ProjectsStore(ws.db).create('Demo').id;
    const r = await svc.import({ projectId, file: DEMO });
    expect(r).toMatchObject({
      rows: 200,
      skipped: 0,
      blankRows: 2,
      sheet: 'Tickets 工单',
      headerRow: 3,
      mapping: { shape: 'single', fields: { instruction: { columns: ['问题 / Question'] }, output: { columns: ['回复 / Answer'] } } },
    });
    const first = (await svc.rows({ id: r.dataset.id, limit: 1 })).rows[0]!;
    expect(first.sourceRow).toBe(4);
    expect(first.record).toMatchObject({ kind: 'single' });
  });
});
