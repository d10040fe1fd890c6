import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import { tempHome } from '../../test/helpers/temp-home.js';
import { DatasetsStore } from '../db/datasets-store.js';
import { ProjectsStore } from '../db/projects-store.js';
import { openWorkspace } from '../workspace/workspace.js';
import { exportDataset, toAlpaca } from './dataset-exporter.js';
import { importLlamaFactoryFolder } from './llamafactory-folder.js';

const home = tempHome();
const ws = openWorkspace(path.join(home.dir, 'ws'));
const store = new DatasetsStore(ws.db);
const projectId = new ProjectsStore(ws.db).create('X').id;
afterAll(() => (ws.close(), home.cleanup()));

function dataset(name: string, records: NormalisedRecord[]): number {
  const w = store.beginImport({ projectId, name, sourceName: `${name}.json`, sourceSha256: '', sourceSize: 1, format: 'json', readerOptions: {}, shape: records[0]!.kind });
  records.forEach((r, i) => w.add(i + 1, JSON.stringify(r), String(i)));
  return w.commit(0, records[0]!.kind, `sha-${name}`, { shape: 'single', fields: {} }).id;
}

const cases: [string, 'alpaca' | 'sharegpt' | 'openai', NormalisedRecord[]][] = [
  ['single', 'alpaca', [{ kind: 'single', system: 'Be kind', instruction: '怎么退款？', input: '订单 42', output: '订单页申请。' }, { kind: 'single', instruction: 'q', output: 'a' }]],
  ['history', 'alpaca', [{ kind: 'conversation', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'bye' }, { role: 'assistant', content: 'ciao' }] }]],
  ['tools', 'sharegpt', [{ kind: 'conversation', system: 'S', messages: [{ role: 'user', content: 'q' }, { role: 'function', content: '{"name":"f"}' }, { role: 'tool', content: '{"r":1}' }, { role: 'assistant', content: 'a' }], tools: '[{"name":"f"}]' }]],
  ['tools-openai', 'openai', [{ kind: 'conversation', system: 'S', messages: [{ role: 'user', content: 'q' }, { role: 'function', content: '{"name":"f"}' }, { role: 'tool', content: '{"r":1}' }, { role: 'assistant', content: 'a' }], tools: '[{"name":"f"}]' }]],
  ['dpo', 'sharegpt', [{ kind: 'preference', prompt: [{ role: 'user', content: 'q' }], chosen: 'good', rejected: 'bad' }]],
  ['dpo-alpaca', 'alpaca', [{ kind: 'preference', system: 'S', prompt: 'q', chosen: 'good', rejected: 'bad' }]],
  ['kto', 'sharegpt', [{ kind: 'conversation', messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }], label: false }]],
  ['pretrain', 'alpaca', [{ kind: 'text', text: 'A document.' }]],
];

describe('dataset exporter', () => {
  it.each(cases)('round-trips %s through %s JSONL and dataset_info.json', async (name, format, records) => {
    const id = dataset(name, records);
    const dir = path.join(home.dir, `out-${name}`);
    const r = exportDataset(store, id, format, path.join(dir, `${name}.jsonl`));
    expect(r.rows).toBe(records.length);
    const back = await importLlamaFactoryFolder(store, projectId, dir);
    expect(back.skipped).toEqual([]);
    const rows = store.rows(back.imported[0]!.dataset.id, 0, 100).map((x) => JSON.parse(x.record));
    expect(rows).toEqual(records);
  });

  it('leaves excluded rows out, exports edits, and refuses shapes a format cannot hold', () => {
    const id = dataset('edits', [{ kind: 'single', instruction: 'a', output: 'b' }, { kind: 'single', instruction: 'c', output: 'd' }]);
    store.exclude(id, 0, true);
    store.edit(id, 1, { kind: 'single', instruction: 'C', output: 'D' });
    const f = path.join(home.dir, 'edits', 'e.jsonl');
    expect(exportDataset(store, id, 'alpaca', f).rows).toBe(1);
    expect(fs.readFileSync(f, 'utf8')).toBe('{"instruction":"C","input":"","output":"D"}\n');
    expect(() => toAlpaca({ kind: 'conversation', messages: [{ role: 'user', content: 'q' }, { role: 'tool', content: 'x' }, { role: 'assistant', content: 'a' }] }, 7)).toThrow(/Row 7 has tool calls/);
    const t = dataset('text-only', [{ kind: 'text', text: 'x' }]);
    expect(() => exportDataset(store, t, 'sharegpt', path.join(home.dir, 'x', 't.jsonl'))).toThrow(/Export as alpaca/);
    expect(fs.existsSync(path.join(home.dir, 'x', 't.jsonl'))).toBe(false);
  });

  it('keeps other entries of an existing dataset_info.json and refuses to overwrite a broken one', () => {
    const id = dataset('keep', [{ kind: 'single', instruction: 'a', output: 'b' }]);
    const dir = path.join(home.dir, 'keep');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'dataset_info.json'), JSON.stringify({ other: { file_name: 'o.json' } }));
    exportDataset(store, id, 'alpaca', path.join(dir, 'k.jsonl'));
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'dataset_info.json'), 'utf8')))).toEqual(['other', 'keep']);
    fs.writeFileSync(path.join(dir, 'dataset_info.json'), '{broken');
    expect(() => exportDataset(store, id, 'alpaca', path.join(dir, 'k.jsonl'))).toThrow(/not valid JSON/);
  });
});
