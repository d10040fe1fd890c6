import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLathe } from '../../../test/helpers/run-cli.js';
import { tempHome } from '../../../test/helpers/temp-home.js';
import { applyOverrides, applyTags } from './dataset.js';

const home = tempHome('lathe-cli-ds-');
afterAll(() => home.cleanup());
const H = ['--home', path.join(home.dir, 'ws'), '--json'];
const file = (name: string, text: string) => {
  const f = path.join(home.dir, name);
  fs.writeFileSync(f, text);
  return f;
};

describe('lathe dataset', () => {
  it('imports a csv and prints the documented JSON', async () => {
    const f = file('tickets.csv', 'Ticket export\n\n工单号,问题,回复,订单号\nT1,怎么退款？,订单页申请。,42\nT2,发票？,,43\nT3,改地址？,个人中心修改。,44\n');
    const r = await runLathe(...H, 'dataset', 'import', f, '--skip-bad', '--map', 'input=订单号: {订单号}');
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({
      dataset: { id: 1, name: 'tickets' },
      rows: 2,
      skipped: 1,
      encoding: 'utf-8',
      sheet: null,
      headerRow: 3,
      mapping: { instruction: '问题', output: '回复', input: '订单号' },
      problems: [{ row: 5, column: '回复', message: 'Empty answer.' }],
    });
    const show = await runLathe(...H, 'dataset', 'show', 'tickets', '--rows', '1');
    expect(show.json()).toMatchObject({ dataset: { name: 'tickets', rowCount: 2 }, rows: [{ kind: 'single', instruction: '怎么退款？', input: '订单号: 42', output: '订单页申请。' }] });
    const list = await runLathe(...H, 'dataset', 'list');
    expect(list.json().datasets.map((d: { name: string }) => d.name)).toEqual(['tickets']);
  });

  it('fails with {error:{code,message}} naming the file, row and column, and writes nothing', async () => {
    const f = file('bad.csv', 'question,answer\nq1,a1\nq2,\n');
    const r = await runLathe(...H, 'dataset', 'import', f);
    expect(r.code).toBe(1);
    const err = r.json().error;
    expect(err.code).toBe('bad_input');
    expect(err.message).toMatch(/bad\.csv.*row 3, column “answer”: Empty answer/);
    expect((await runLathe(...H, 'dataset', 'list')).json().datasets).toHaveLength(1);
    const dup = await runLathe(...H, 'dataset', 'import', path.join(home.dir, 'tickets.csv'), '--skip-bad');
    expect(dup.json().error.code).toBe('already_exists');
    expect((await runLathe(...H, 'dataset', 'import', path.join(home.dir, 'nope.csv'))).json().error.code).toBe('not_found');
    expect((await runLathe(...H, 'dataset', 'import', f, '--map', 'colour=x')).code).toBe(2);
  });

  it('imports with --format sharegpt and exports alpaca and sharegpt with a dataset_info entry', async () => {
    const conv = [{ conversations: [{ from: 'human', value: 'hi' }, { from: 'gpt', value: 'hello' }], system: 'be brief' }];
    const f = file('chat.json', JSON.stringify(conv));
    const r = await runLathe(...H, 'dataset', 'import', f, '--format', 'sharegpt', '--name', 'chat');
    expect(r.json()).toMatchObject({ rows: 1, mapping: { messages: 'conversations', system: 'system' } });
    const out = path.join(home.dir, 'out', 'chat.jsonl');
    const ex = await runLathe(...H, 'dataset', 'export', 'chat', '--format', 'sharegpt', '--out', out);
    expect(ex.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(conv[0]);
    const info = JSON.parse(fs.readFileSync(path.join(home.dir, 'out', 'dataset_info.json'), 'utf8'));
    expect(info.chat).toMatchObject({ file_name: 'chat.jsonl', formatting: 'sharegpt', columns: { messages: 'conversations' } });
    const al = await runLathe(...H, 'dataset', 'export', 'chat', '--format', 'alpaca', '--out', path.join(home.dir, 'out', 'chat-alpaca.jsonl'));
    expect(JSON.parse(fs.readFileSync(al.json().file, 'utf8'))).toEqual({ instruction: 'hi', input: '', output: 'hello', system: 'be brief' });
  });

  it('imports a LLaMA-Factory folder', async () => {
    const dir = path.join(home.dir, 'lf');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'dataset_info.json'), JSON.stringify({ mine: { file_name: 'mine.json' }, remote: { hf_hub_url: 'someone/data' }, gone: { file_name: 'gone.json' } }));
    fs.writeFileSync(path.join(dir, 'mine.json'), JSON.stringify([{ instruction: 'a', input: '', output: 'b' }]));
    const r = await runLathe(...H, 'dataset', 'import-llamafactory', dir);
    expect(r.json()).toMatchObject({ imported: [{ entry: 'mine', rows: 1 }], skipped: [{ entry: 'remote' }, { entry: 'gone' }] });
  });

  it('validates a file and splits a dataset deterministically', async () => {
    const f = file('v.csv', 'question,answer\nq1,a1\nq1,a1\nq2,\n');
    const v = await runLathe(...H, 'dataset', 'validate', f);
    expect(v.json()).toMatchObject({ rows: 3, validRows: 2, exactDuplicates: 1, problems: [{ row: 4, column: 'answer', message: 'Empty answer.' }], mapping: { instruction: 'question', output: 'answer' } });
    const s = await runLathe(...H, 'dataset', 'split', 'tickets', '--val-ratio', '0.5', '--seed', '3');
    expect(s.json()).toMatchObject({ train: 1, validation: 1, dataset: { splitSeed: 3, valRatio: 0.5 } });
    expect((await runLathe(...H, 'dataset', 'split', 'tickets', '--val-ratio', '2')).code).toBe(2);
  });

  it('imports a conversation file with custom role tags', async () => {
    const f = file('custom.jsonl', JSON.stringify({ dialog: [{ speaker: 'customer', text: 'hi' }, { speaker: 'agent', text: 'hello' }] }) + '\n');
    const r = await runLathe(...H, 'dataset', 'import', f, '--map', 'messages=dialog', '--tag', 'role=speaker', '--tag', 'content=text', '--tag', 'user=customer', '--tag', 'assistant=agent');
    expect(r.json()).toMatchObject({ rows: 1, mapping: { messages: 'dialog' } });
    const show = await runLathe(...H, 'dataset', 'show', 'custom');
    expect(show.json().rows).toEqual([{ kind: 'conversation', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] }]);
    expect(() => applyTags({ shape: 'conversation', fields: {} }, ['colour=red'])).toThrow(/--tag needs NAME=VALUE/);
  });

  it('applies --map overrides: join, template, removal, shape', () => {
    const base = { shape: 'single' as const, fields: { instruction: { columns: ['q'] }, output: { columns: ['a'] }, input: { columns: ['n'] } } };
    expect(applyOverrides(base, ['input=x', 'input=y', 'output='])).toEqual({ shape: 'single', fields: { instruction: { columns: ['q'] }, input: { columns: ['x', 'y'] } } });
    expect(applyOverrides(base, ['input=订单号: {order_id}\\n{context}']).fields.input).toEqual({ columns: ['order_id', 'context'], template: '订单号: {order_id}\n{context}' });
    expect(applyOverrides(base, ['chosen=c', 'rejected=r']).shape).toBe('preference');
  });
});
