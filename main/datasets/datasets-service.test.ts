import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Mapping } from '../../preload/contract/datasets.js';
import { tempHome } from '../../test/helpers/temp-home.js';
import { EventHub } from '../ipc/event-hub.js';
import { ProjectsStore } from '../db/projects-store.js';
import { openWorkspace, type Workspace } from '../workspace/workspace.js';
import { DatasetsService } from './datasets-service.js';

let home: ReturnType<typeof tempHome>;
let ws: Workspace;
let svc: DatasetsService;
let hub: EventHub;
let projectId: number;
const events: { name: string; payload: unknown }[] = [];

beforeAll(async () => {
  home = tempHome();
  ws = openWorkspace(path.join(home.dir, 'home'));
  hub = new EventHub();
  hub.subscribe((name, payload) => events.push({ name, payload }));
  svc = new DatasetsService({ workspace: ws, events: hub, transport: 'electron' }, { useWorker: false });
  projectId = new ProjectsStore(ws.db).create('Support').id;
});
afterAll(() => {
  ws.close();
  home.cleanup();
});

async function workbook(file: string, rows: number): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const s = wb.addWorksheet('工单');
  s.getCell('A1').value = 'DEMO — exported tickets';
  s.getRow(3).values = ['工单号', '问题', '回复', '订单号', '备注'];
  for (let i = 0; i < rows; i++) s.getRow(4 + i).values = [`T-${i}`, `问题 ${i}：怎么退款？`, `回复 ${i}：请在订单页申请。`, 9000 + i, i % 3 ? '' : `VIP ${i}`];
  await wb.xlsx.writeFile(file);
}

describe('datasets service', () => {
  const file = () => path.join(home.dir, 'tickets.xlsx');

  it('inspects a workbook: sheets, header, columns, sample and a suggested mapping', async () => {
    await workbook(file(), 300);
    const r = await svc.inspect({ file: file() });
    expect(r).toMatchObject({ format: 'xlsx', sheet: '工单', headerRow: 3, sheets: [{ name: '工单', rows: 302, looksLikeTable: true }], columns: ['工单号', '问题', '回复', '订单号', '备注'] });
    expect(r.sampleRows[0]).toEqual({ row: 4, values: { 工单号: 'T-0', 问题: '问题 0：怎么退款？', 回复: '回复 0：请在订单页申请。', 订单号: 9000, 备注: 'VIP 0' } });
    expect(r.suggestion.mapping.fields).toMatchObject({ instruction: { columns: ['问题'] }, output: { columns: ['回复'] }, input: { columns: ['备注'] } });
  });

  it('previews 20 mapped records after a mapping change from the sample read once, not the file', async () => {
    const mapping: Mapping = { shape: 'single', fields: { instruction: { columns: ['问题'] }, input: { columns: ['订单号', '备注'], template: '订单号: {订单号}\n{备注}' }, output: { columns: ['回复'] } } };
    // What keeps a preview within 200 ms of a mapping change on any file size: it maps the sample the inspection read,
    // and opens the file no more (a timing bound here would measure the machine's load, not that).
    const opens = [vi.spyOn(fs.promises, 'open'), vi.spyOn(fs, 'createReadStream')];
    const t = performance.now();
    const p = await svc.preview({ file: file(), mapping });
    const ms = performance.now() - t;
    for (const spy of opens) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
    console.log(`preview of 20 records after a mapping change: ${ms.toFixed(1)} ms`);
    expect(p.records).toHaveLength(20);
    expect(p.records[0]).toEqual({ row: 4, record: { kind: 'single', instruction: '问题 0：怎么退款？', input: '订单号: 9000\nVIP 0', output: '回复 0：请在订单页申请。' }, problems: [] });
    const bad = await svc.preview({ file: file(), mapping: { shape: 'single', fields: { instruction: { columns: ['问题'] }, output: { columns: ['备注'] } } }, limit: 3 });
    expect(bad.records.map((r) => r.problems.map((x) => `${x.row}/${x.column}: ${x.message}`))).toEqual([[], ['5/备注: Empty answer.'], ['6/备注: Empty answer.']]);
    await expect(svc.preview({ file: file(), mapping: { shape: 'single', fields: { instruction: { columns: ['Question'] }, output: { columns: ['回复'] } } } })).rejects.toMatchObject({
      code: 'bad_input',
      details: { column: 'Question' },
    });
  });

  it('validates the whole file before saving', async () => {
    const report = await svc.validate({ file: file(), mapping: { shape: 'single', fields: { instruction: { columns: ['问题'] }, output: { columns: ['备注'] } } } });
    expect(report).toMatchObject({ rows: 300, validRows: 100, problemCount: 200, exactDuplicates: 0 });
    expect(report.columns.find((c) => c.column === '备注')).toMatchObject({ empty: 200 });
  });

  it('imports with progress events, then lists, pages, edits, excludes, splits and exports', async () => {
    events.length = 0;
    const r = await svc.import({ projectId, file: file(), name: 'Tickets', jobId: 'j1' });
    expect(r).toMatchObject({ rows: 300, skipped: 0, sheet: '工单', headerRow: 3, dataset: { name: 'Tickets', rowCount: 300, shape: 'single' } });
    expect(events.some((e) => e.name === 'datasets.importProgress' && (e.payload as { phase: string }).phase === 'done')).toBe(true);
    expect(events.at(-1)).toEqual({ name: 'datasets.changed', payload: { id: r.dataset.id, change: 'created' } });
    const id = r.dataset.id;
    expect((await svc.list({ projectId })).map((d) => d.name)).toEqual(['Tickets']);

    const page = await svc.rows({ id, offset: 10, limit: 5 });
    expect(page.total).toBe(300);
    expect(page.rows.map((x) => x.sourceRow)).toEqual([14, 15, 16, 17, 18]);

    const edited = await svc.editRow({ id, idx: 10, record: { kind: 'single', instruction: 'edited', output: 'fixed' } });
    expect(edited).toMatchObject({ edited: true, record: { instruction: 'edited' }, original: { instruction: '问题 10：怎么退款？' } });
    await svc.excludeRow({ id, idx: 11, excluded: true });

    const split = await svc.setSplit({ id, seed: 7, valRatio: 0.1 });
    expect(split).toMatchObject({ splitSeed: 7, valRatio: 0.1 });
    const val = await svc.rows({ id, split: 'validation', limit: 1000 });
    const train = await svc.rows({ id, split: 'train', limit: 1000 });
    expect(val.total).toBe(30);
    expect(train.total).toBe(269);
    const again = await svc.rows({ id, split: 'validation', limit: 1000 });
    expect(again.rows.map((x) => x.idx)).toEqual(val.rows.map((x) => x.idx));
    await svc.setSplit({ id, seed: 8, valRatio: 0.1 });
    expect((await svc.rows({ id, split: 'validation', limit: 1000 })).rows.map((x) => x.idx)).not.toEqual(val.rows.map((x) => x.idx));

    const out = path.join(home.dir, 'export', 'tickets.jsonl');
    const ex = await svc.export({ id, format: 'alpaca', out });
    expect(ex.rows).toBe(299);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[10]).toEqual({ instruction: 'edited', input: '', output: 'fixed' });
    expect(lines[0]).toEqual({ instruction: '问题 0：怎么退款？', input: 'VIP 0', output: '回复 0：请在订单页申请。' });
    expect(JSON.parse(fs.readFileSync(path.join(home.dir, 'export', 'dataset_info.json'), 'utf8'))).toEqual({
      Tickets: { file_name: 'tickets.jsonl', columns: { prompt: 'instruction', query: 'input', response: 'output', system: 'system', history: 'history' } },
    });

    // The exported folder imports back through the LLaMA-Factory path with identical records.
    const back = await svc.importLlamaFactory({ projectId, dir: path.join(home.dir, 'export') });
    expect(back.imported[0]).toMatchObject({ entry: 'Tickets', rows: 299 });
    const sg = await svc.export({ id, format: 'sharegpt', out: path.join(home.dir, 'export', 'tickets-sharegpt.jsonl') });
    const first = JSON.parse(fs.readFileSync(sg.file, 'utf8').split('\n')[0]!);
    expect(first).toEqual({ conversations: [{ from: 'human', value: '问题 0：怎么退款？\nVIP 0' }, { from: 'gpt', value: '回复 0：请在订单页申请。' }] });

    await svc.remove({ id });
    await expect(svc.get({ id })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('cancels a running import by job id and leaves nothing', async () => {
    const big = path.join(home.dir, 'big.csv');
    const lines = ['question,answer'];
    for (let i = 0; i < 300_000; i++) lines.push(`q ${i},a ${i}`);
    fs.writeFileSync(big, lines.join('\n'));
    const before = (await svc.list({ projectId })).length;
    // Cancelled at its first progress event (after its first few thousand rows): long before it could finish.
    const started = new Promise<void>((resolve) => hub.subscribe((name, payload) => name === 'datasets.importProgress' && (payload as { jobId: string; rows: number }).jobId === 'cancel-me' && resolve()));
    const p = svc.import({ projectId, file: big, jobId: 'cancel-me' });
    await started;
    expect(await svc.cancel({ jobId: 'cancel-me' })).toEqual({ cancelled: true });
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect((await svc.list({ projectId })).length).toBe(before);
    expect(events.some((e) => e.name === 'datasets.importProgress' && (e.payload as { phase: string }).phase === 'cancelled')).toBe(true);
  });

  it('refuses invalid requests with invalid_request', async () => {
    await expect(svc.import({ projectId, file: '' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(svc.setSplit({ id: 1, seed: 1, valRatio: 2 })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('searches and filters rows in main, paging through the matches with their count', async () => {
    const lines = ['q,a'];
    for (let i = 0; i < 38; i++) lines.push(i % 4 === 0 ? `怎么退款 ${i},请在订单页申请` : `Where is my Order ${i}?,It ships soon`);
    lines.push(lines[1]!, lines[2]!); // rows 38 and 39 repeat rows 0 and 1
    const csv = path.join(home.dir, 'search.csv');
    fs.writeFileSync(csv, `${lines.join('\n')}\n`);
    const mapping: Mapping = { shape: 'single', fields: { instruction: { columns: ['q'] }, output: { columns: ['a'] } } };
    const id = (await svc.import({ projectId, file: csv, name: 'Search', mapping })).dataset.id;
    const idxs = (r: { rows: readonly { idx: number }[] }) => r.rows.map((x) => x.idx);
    const english = [...Array(40).keys()].filter((i) => i === 39 || (i < 38 && i % 4 !== 0));

    const all = await svc.rows({ id, limit: 5 });
    expect(all).toMatchObject({ total: 40, matched: 40 });
    const order = await svc.rows({ id, search: 'ORDER', limit: 5 });
    expect(order).toMatchObject({ total: 40, matched: 29 });
    expect(idxs(order)).toEqual(english.slice(0, 5));
    expect(idxs(await svc.rows({ id, search: 'ORDER', offset: 25, limit: 5 }))).toEqual(english.slice(25));
    expect(idxs(await svc.rows({ id, search: '  退款 ', limit: 100 }))).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 38]);
    expect((await svc.rows({ id, search: '没有这个', limit: 5 })).matched).toBe(0);

    // An edit is searched by its new text, and shows under "edited"; exclusion under "excluded".
    await svc.editRow({ id, idx: 1, record: { kind: 'single', instruction: '退款了吗', output: '已退' } });
    await svc.excludeRow({ id, idx: 4, excluded: true });
    expect((await svc.rows({ id, search: '退款', limit: 100 })).matched).toBe(12);
    expect((await svc.rows({ id, search: 'order', limit: 100 })).matched).toBe(28);
    expect(idxs(await svc.rows({ id, filter: 'edited', limit: 100 }))).toEqual([1]);
    expect(idxs(await svc.rows({ id, filter: 'excluded', limit: 100 }))).toEqual([4]);
    expect(idxs(await svc.rows({ id, filter: 'duplicates', limit: 100 }))).toEqual([0, 1, 38, 39]); // as imported
    expect(idxs(await svc.rows({ id, filter: 'duplicates', search: '退款', limit: 100 }))).toEqual([0, 1, 38]);

    // train/validation: the included rows of each split, exactly as the split assigns them.
    await svc.setSplit({ id, seed: 3, valRatio: 0.25 });
    const val = await svc.rows({ id, filter: 'validation', limit: 100 });
    const train = await svc.rows({ id, filter: 'train', limit: 100 });
    expect([val.matched, train.matched]).toEqual([10, 29]); // round(39 × 0.25) of the 39 included rows
    expect(val.rows.every((r) => r.split === 'validation' && !r.excluded)).toBe(true);
    expect(train.rows.every((r) => r.split === 'train' && !r.excluded)).toBe(true);
    expect(idxs(val)).toEqual(idxs(await svc.rows({ id, split: 'validation', limit: 100 })));
    const valZh = idxs(await svc.rows({ id, filter: 'validation', search: '退款', limit: 100 }));
    const trainZh = idxs(await svc.rows({ id, filter: 'train', search: '退款', limit: 100 }));
    expect([...valZh, ...trainZh].sort((a, b) => a - b)).toEqual([0, 1, 8, 12, 16, 20, 24, 28, 32, 36, 38]);
    expect(valZh.every((i) => idxs(val).includes(i))).toBe(true);
    expect(await svc.rows({ id, split: 'train', search: '退款', limit: 1 })).toMatchObject({ total: 29, matched: trainZh.length });
    await expect(svc.rows({ id, split: 'train', filter: 'edited' })).rejects.toMatchObject({ code: 'invalid_request' });
    await svc.remove({ id });
  });
});
