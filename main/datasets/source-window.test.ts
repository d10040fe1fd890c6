import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mapping } from '../../preload/contract/datasets.js';
import { tempHome } from '../../test/helpers/temp-home.js';
import { EventHub } from '../ipc/event-hub.js';
import { openWorkspace, type Workspace } from '../workspace/workspace.js';
import { DatasetsService } from './datasets-service.js';

let home: ReturnType<typeof tempHome>;
let ws: Workspace;
let svc: DatasetsService;
const mapping: Mapping = { shape: 'single', fields: { instruction: { columns: ['q'] }, output: { columns: ['a'] } } };

beforeAll(() => {
  home = tempHome();
  ws = openWorkspace(path.join(home.dir, 'home'));
  svc = new DatasetsService({ workspace: ws, events: new EventHub(), transport: 'electron' }, { useWorker: false });
});
afterAll(() => {
  ws.close();
  home.cleanup();
});

describe('datasets.preview past the first 200 rows', () => {
  // Line 1 is the header, so record i is on line i + 2; every 1000th answer is empty; line 5002 is blank.
  const csv = () => path.join(home.dir, 'big.csv');
  beforeAll(() => {
    const lines = ['q,a'];
    for (let i = 0; i < 10_000; i++) lines.push(i === 5000 ? '' : `question ${i},${i % 1000 === 999 ? '' : `answer ${i}`}`);
    fs.writeFileSync(csv(), lines.join('\n'));
  });

  it('jumps to a row as a person sees it, with its cells, record and problems', async () => {
    const p = await svc.preview({ file: csv(), mapping, fromRow: 9001, limit: 1 });
    expect(p.records).toHaveLength(1);
    expect(p.records[0]).toMatchObject({ row: 9001, record: { instruction: 'question 8999', output: '' }, values: { q: 'question 8999', a: '' } });
    expect(p.records[0]!.problems.map((x) => x.column)).toEqual(['a']);
    const ok = await svc.preview({ file: csv(), mapping, fromRow: 9002, limit: 2 });
    expect(ok.records.map((r) => r.row)).toEqual([9002, 9003]);
    expect(ok.records[0]).toMatchObject({ record: { kind: 'single', instruction: 'question 9000', output: 'answer 9000' }, problems: [] });
  });

  it('a blank row gives the next row there is; past the end nothing', async () => {
    const p = await svc.preview({ file: csv(), mapping, fromRow: 5002, limit: 1 });
    expect(p.records.map((r) => r.row)).toEqual([5003]);
    expect((await svc.preview({ file: csv(), mapping, fromRow: 20_000, limit: 5 })).records).toEqual([]);
  });

  it('pages by offset over rows as read, from the sample or the file alike', async () => {
    const inSample = await svc.preview({ file: csv(), mapping, offset: 10, limit: 3 });
    expect(inSample.records.map((r) => r.row)).toEqual([12, 13, 14]);
    // A window carries the cells even when the cached sample holds it; the plain first page does not.
    expect(inSample.records[0]!.values).toEqual({ q: 'question 10', a: 'answer 10' });
    const far = await svc.preview({ file: csv(), mapping, offset: 7000, limit: 200 });
    expect(far.records).toHaveLength(200);
    // The blank line is not a row as read: offset 7000 is record 7001, on line 7003.
    expect(far.records[0]!.row).toBe(7003);
    expect(far.records.at(-1)!.row).toBe(7202);
    const first = await svc.preview({ file: csv(), mapping, limit: 3 });
    expect(first.records.map((r) => r.row)).toEqual([2, 3, 4]);
    expect(first.records[0]!.values).toBeUndefined();
  });

  it('still names a mapped column the file lacks', async () => {
    await expect(svc.preview({ file: csv(), mapping: { shape: 'single', fields: { instruction: { columns: ['nope'] }, output: { columns: ['a'] } } }, fromRow: 9000 })).rejects.toMatchObject({ code: 'bad_input' });
  });
});
