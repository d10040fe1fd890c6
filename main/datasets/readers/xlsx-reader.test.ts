import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceRecord } from './source-types.js';
import { listSheets, openXlsx } from './xlsx-reader.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lathe-xlsx-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'tickets.xlsx');

beforeAll(async () => {
  const wb = new ExcelJS.Workbook();
  const notes = wb.addWorksheet('Notes');
  notes.getCell('A1').value = 'This workbook was exported from the help desk.';
  const ws = wb.addWorksheet('Tickets');
  ws.mergeCells('A1:E1');
  ws.getCell('A1').value = 'Support tickets — demo export';
  // row 2 blank
  ws.getRow(3).values = ['工单号 / Ticket ID', '问题 / Question', '回复 / Answer', 'Amount', 'Date'];
  ws.getRow(4).values = [1001, { richText: [{ text: 'Where is ', font: { bold: true } }, { text: 'my order?' }] }, '已发货', 0.1, new Date(Date.UTC(2024, 2, 1))];
  ws.getRow(5).values = [1002, 'Refund?', { formula: 'CONCATENATE("Yes, ","within 7 days")', result: 'Yes, within 7 days' }, { formula: 'D4*3', result: 0.30000000000000004 }, new Date(Date.UTC(2024, 2, 1, 9, 30))];
  // rows 6, 7 blank
  ws.getRow(8).values = [1003, 'Invoice', { text: 'see portal', hyperlink: 'https://example.com' }, 12345678901, { formula: 'E4+1', result: 45353 }];
  ws.getCell('E8').numFmt = 'yyyy-mm-dd';
  ws.getRow(8).commit?.();
  // trailing empty-but-styled rows
  ws.getCell('A12').value = null;
  ws.getCell('B12').numFmt = '0.00';
  const other = wb.addWorksheet('Other');
  other.addRow(['q', 'a']);
  other.addRow(['x', 'y']);
  await wb.xlsx.writeFile(file);
});

describe('xlsx reader', () => {
  it('lists every sheet with its row count and whether it looks like a table', async () => {
    expect(await listSheets(file)).toEqual([
      { name: 'Notes', rows: 1, looksLikeTable: false },
      { name: 'Tickets', rows: 5, looksLikeTable: true },
      { name: 'Other', rows: 2, looksLikeTable: true },
    ]);
  });

  it('picks the first table sheet, finds the header under the title, flattens values', async () => {
    const src = await openXlsx(file);
    expect(src.sheet).toBe('Tickets');
    expect(src.headerRow).toBe(3);
    expect(src.columns).toEqual(['工单号 / Ticket ID', '问题 / Question', '回复 / Answer', 'Amount', 'Date']);
    const recs: SourceRecord[] = [];
    for await (const r of src.records()) if (r.type === 'record') recs.push(r);
    expect(recs.map((r) => r.row)).toEqual([4, 5, 8]);
    expect(recs[0]!.values).toEqual({ '工单号 / Ticket ID': 1001, '问题 / Question': 'Where is my order?', '回复 / Answer': '已发货', Amount: 0.1, Date: '2024-03-01' });
    expect(recs[1]!.values['回复 / Answer']).toBe('Yes, within 7 days');
    expect(recs[1]!.values['Date']).toBe('2024-03-01T09:30:00');
    expect(recs[2]!.values).toMatchObject({ '回复 / Answer': 'see portal', Amount: 12345678901, Date: '2024-03-02' });
    expect(src.stats.blankRows).toBe(2);
  });

  it('opens a named sheet and refuses an unknown one with the list of sheets', async () => {
    const src = await openXlsx(file, { sheet: 'Other' });
    expect(src.columns).toEqual(['q', 'a']);
    await expect(openXlsx(file, { sheet: 'Nope' })).rejects.toThrow(/no sheet named “Nope”.*“Notes”, “Tickets”, “Other”/);
  });

  it('reports a file that is not a workbook', async () => {
    const bad = path.join(dir, 'bad.xlsx');
    fs.writeFileSync(bad, 'id,question\n1,hello\n');
    await expect(openXlsx(bad)).rejects.toMatchObject({ code: 'bad_input' });
  });
});
