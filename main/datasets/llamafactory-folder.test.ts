import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetsStore } from '../db/datasets-store.js';
import { ProjectsStore } from '../db/projects-store.js';
import { openWorkspace, type Workspace } from '../workspace/workspace.js';
import { importLlamaFactoryFolder, readDatasetInfo } from './llamafactory-folder.js';
import { entryMapping } from './llamafactory-format.js';

// LLaMA-Factory's real data folder, copied unchanged into shared/ (see shared/compat/llamafactory/README.md).
const LF_DIR = path.resolve('../shared/compat/llamafactory');
const haveLf = fs.existsSync(path.join(LF_DIR, 'dataset_info.json'));

let dir: string;
let ws: Workspace;
let store: DatasetsStore;
let projectId: number;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lathe-lf-'));
  ws = openWorkspace(path.join(dir, 'home'));
  store = new DatasetsStore(ws.db);
  projectId = new ProjectsStore(ws.db).create('LF').id;
});
afterAll(() => {
  ws.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('LLaMA-Factory entries', () => {
  it('maps formatting, columns, tags and ranking', () => {
    expect(entryMapping({ file_name: 'x', columns: { prompt: 'text' } }, ['text'])).toEqual({ shape: 'text', fields: { text: { columns: ['text'] } } });
    expect(entryMapping({ file_name: 'x' }, ['instruction', 'input', 'output'])).toEqual({ shape: 'single', fields: { instruction: { columns: ['instruction'] }, input: { columns: ['input'] }, output: { columns: ['output'] } } });
    const kto = entryMapping({ file_name: 'x', formatting: 'sharegpt', columns: { messages: 'messages', kto_tag: 'label' }, tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant' } }, ['messages', 'label']);
    expect(kto).toMatchObject({ shape: 'conversation', fields: { messages: { columns: ['messages'] }, label: { columns: ['label'] } }, roles: { roleTag: 'role', userTag: 'user', functionTag: 'function_call' } });
    const dpo = entryMapping({ file_name: 'x', ranking: true, formatting: 'sharegpt', columns: { messages: 'conversations', chosen: 'chosen', rejected: 'rejected' } }, ['conversations', 'chosen', 'rejected']);
    expect(dpo).toMatchObject({ shape: 'preference', roles: { roleTag: 'from', userTag: 'human' } });
    expect(entryMapping({ file_name: 'x', formatting: 'openai' }, ['messages'])).toMatchObject({ shape: 'conversation', roles: { roleTag: 'role', contentTag: 'content' } });
  });
});

describe('LLaMA-Factory folder, synthetic', () => {
  it('imports text (.txt), jsonl and openai entries, refuses paths that leave the folder', async () => {
    const lf = path.join(dir, 'lf-synthetic');
    fs.mkdirSync(lf);
    fs.writeFileSync(path.join(lf, 'wiki_demo.txt'), 'First document line.\nSecond document line.\n');
    fs.writeFileSync(path.join(lf, 'chat.jsonl'), JSON.stringify({ messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }] }) + '\n');
    fs.writeFileSync(
      path.join(lf, 'dataset_info.json'),
      JSON.stringify({
        wiki_demo: { file_name: 'wiki_demo.txt', columns: { prompt: 'text' } },
        chat: { file_name: 'chat.jsonl', formatting: 'openai' },
        escape: { file_name: '../../etc/passwd' },
        shards: { file_name: '.' },
      }),
    );
    const r = await importLlamaFactoryFolder(store, projectId, lf);
    expect(r.imported.map((i) => [i.entry, i.rows, i.dataset.shape])).toEqual([
      ['wiki_demo', 2, 'text'],
      ['chat', 1, 'conversation'],
    ]);
    expect(r.skipped.map((s) => s.entry)).toEqual(['escape', 'shards']);
    expect(r.skipped[0]!.reason).toMatch(/leaves the folder/);
    expect(r.skipped.map((s) => s.code)).toEqual(['llamafactory.leavesFolder', 'llamafactory.shardFolder']);
    const chat = JSON.parse(store.rows(r.imported[1]!.dataset.id, 0, 1)[0]!.record);
    expect(chat).toEqual({ kind: 'conversation', system: 'S', messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }] });
  });
});

describe.skipIf(!haveLf)('LLaMA-Factory real data folder (../shared/compat/llamafactory)', () => {
  it('imports every local entry and lists hub entries as skipped', async () => {
    const info = await readDatasetInfo(LF_DIR);
    const local = Object.entries(info).filter(([, e]) => e.file_name && fs.existsSync(path.join(LF_DIR, e.file_name))).map(([k]) => k);
    expect(local.length).toBeGreaterThanOrEqual(7);
    const r = await importLlamaFactoryFolder(store, projectId, LF_DIR);
    expect(r.imported.map((i) => i.entry).sort()).toEqual([...local].sort());
    expect(r.imported.length + r.skipped.length).toBe(Object.keys(info).length);
    const byName = Object.fromEntries(r.imported.map((i) => [i.entry, i]));
    const counts = (f: string) => (JSON.parse(fs.readFileSync(path.join(LF_DIR, f), 'utf8')) as unknown[]).length;
    expect(byName['identity']).toMatchObject({ rows: counts('identity.json'), skipped: 0, dataset: { shape: 'single', format: 'llamafactory' } });
    expect(byName['alpaca_en_demo']!.rows + byName['alpaca_en_demo']!.skipped).toBe(counts('alpaca_en_demo.json'));
    expect(byName['dpo_zh_demo']).toMatchObject({ dataset: { shape: 'preference' } });
    expect(byName['glaive_toolcall_zh_demo']).toMatchObject({ dataset: { shape: 'conversation' } });
    expect(byName['kto_en_demo']).toMatchObject({ dataset: { shape: 'conversation' } });
    expect(byName['c4_demo']).toMatchObject({ dataset: { shape: 'text' } });
    for (const i of r.imported) expect(i.skipped).toBe(0);
    expect(byName['dpo_zh_demo']!.rows).toBe(counts('dpo_zh_demo.json'));
    expect(r.skipped.find((s) => s.entry === 'alpaca_en')!.reason).toMatch(/hub.*hf_hub_url: llamafactory\/alpaca_en/);
    expect(r.skipped.find((s) => s.entry === 'mllm_demo')).toMatchObject({ reason: expect.stringMatching(/not in the folder/), code: 'llamafactory.missingFile', params: { file: expect.any(String) } });
    expect(r.skipped.find((s) => s.entry === 'alpaca_en')).toMatchObject({ code: 'llamafactory.remote', params: { remote: 'hf_hub_url: llamafactory/alpaca_en' } });

    const tool = store.rows(byName['glaive_toolcall_zh_demo']!.dataset.id, 0, 1)[0]!;
    const rec = JSON.parse(tool.record);
    expect(rec.tools).toContain('generate_invoice');
    expect(rec.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'function', 'tool', 'assistant']);
    const kto = JSON.parse(store.rows(byName['kto_en_demo']!.dataset.id, 0, 1)[0]!.record);
    expect(kto.label).toBe(true);
    const dpo = JSON.parse(store.rows(byName['dpo_zh_demo']!.dataset.id, 0, 1)[0]!.record);
    expect(dpo).toMatchObject({ kind: 'preference', prompt: [{ role: 'user' }] });
    expect(typeof dpo.chosen).toBe('string');

    const again = await importLlamaFactoryFolder(store, projectId, LF_DIR);
    expect(again.imported).toEqual([]);
    expect(again.skipped.find((s) => s.entry === 'identity')!.reason).toMatch(/already imported/);
  });
});
