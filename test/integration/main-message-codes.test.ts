// Every code main can put on a message has its text in both languages. Producers declare their codes in an exported
// `<NAME>_CODES` list (their code type is taken from it, so a code used in main but missing from its list does not
// compile); this test finds those lists by scanning main/, so a new producer is checked without being named here.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { en } from '../../renderer/src/i18n/en.js';
import type { Mapping } from '../../preload/contract/datasets.js';
import { RecordMapper } from '../../main/datasets/record-mapper.js';
import { validateRecord } from '../../main/datasets/record-validator.js';
import os from 'node:os';
import { checkModelFolder } from '../../main/library/integrity-check.js';
import { guessModelKind } from '../../main/models/model-kind.js';
import { runConfigFromYaml } from '../../main/runs/run-yaml.js';
import { runDefaults } from '../../main/runs/run-defaults.js';
import { proposeTemplate, templateChoiceNotices } from '../../main/templates/template-proposal.js';
import { mainMessageKey, translateMainMessage } from '../../renderer/src/i18n/main-message-text.js';
import { zh } from '../../renderer/src/i18n/zh.js';

const root = path.resolve(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(full));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

async function codeLists(): Promise<Map<string, readonly string[]>> {
  const lists = new Map<string, readonly string[]>();
  for (const file of sources(path.join(root, 'main'))) {
    const names = [...fs.readFileSync(file, 'utf8').matchAll(/^export const (\w+_CODES)\b/gm)].map((m) => m[1]!);
    if (names.length === 0) continue;
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const name of names) lists.set(`${path.relative(root, file)}:${name}`, mod[name] as readonly string[]);
  }
  return lists;
}

describe('codes of main’s messages', () => {
  it('each has a main.<code> text in English and Chinese', async () => {
    const lists = await codeLists();
    expect([...lists.keys()].length).toBeGreaterThanOrEqual(5);
    const missing: string[] = [];
    for (const [where, codes] of lists) {
      expect(codes.length, where).toBeGreaterThan(0);
      for (const code of codes) {
        expect(code, where).toMatch(/^[a-z][a-zA-Z0-9]*(\.[a-zA-Z0-9]+)+$/);
        const key = mainMessageKey(code);
        if (!(key in en) || !(key in zh)) missing.push(`${where}: ${code}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('dataset problems as main writes them', () => {
  it('read the same in the renderer’s English, and fully translated in Chinese', () => {
    const tags = { roleTag: 'from', contentTag: 'value', userTag: 'human', assistantTag: 'gpt', observationTag: 'observation', functionTag: 'function_call', systemTag: 'system' };
    const conv: Mapping = { shape: 'conversation', fields: { messages: { columns: ['c'] }, label: { columns: ['l'] } }, roles: tags };
    const single: Mapping = { shape: 'single', fields: { instruction: { columns: ['q'] }, output: { columns: ['a'] }, history: { columns: ['h'] } } };
    const pref: Mapping = { shape: 'preference', fields: { instruction: { columns: ['p'] }, chosen: { columns: ['y'] }, rejected: { columns: ['n'] } } };
    const problems = [
      ...new RecordMapper(conv).map({ c: '[oops', l: 'maybe' }).problems,
      ...new RecordMapper(conv).map({ c: [7, { from: 'bot', value: 'x' }] }).problems,
      ...new RecordMapper(single).map({ q: 'q', a: { x: 1 }, h: 5 }).problems,
    ];
    for (const [m, values] of [[conv, { c: [{ from: 'gpt', value: 'a' }] }], [conv, { c: [{ from: 'human', value: 'q' }] }], [conv, { c: [] }], [conv, { c: [{ from: 'human', value: ' ' }, { from: 'gpt', value: 'a' }] }], [single, { q: '', a: '' }], [pref, { p: ' ', y: '', n: '' }]] as const) {
      problems.push(...validateRecord(new RecordMapper(m).map(values).record!, m));
    }
    expect(new Set(problems.map((p) => p.code)).size).toBeGreaterThanOrEqual(11);
    for (const p of problems) {
      expect(translateMainMessage('en', p)).toBe(p.message);
      const zh = translateMainMessage('zh', p);
      expect(zh).not.toBe(p.message);
      expect(zh).not.toMatch(/[{}]/);
    }
  });
});

describe('notes and warnings as main writes them', () => {
  it('read the same in the renderer’s English, and fully translated in Chinese', async () => {
    const GiB = 1024 ** 3;
    const base = { chatTemplate: null, modelType: 'llama', architecture: 'LlamaForCausalLM', kind: 'base' as const };
    const instruct = { ...base, kind: 'instruct' as const, chatTemplate: '<|start_header_id|>' };
    const cpu = await runDefaults({ gpus: [] });
    const big = await runDefaults({ gpus: [{ index: 0, name: 'Test GPU', memoryBytes: 24 * GiB }] });
    const tiny = await runDefaults({ gpus: [{ index: 0, name: 'Tiny GPU', memoryBytes: 512 * 1024 * 1024 }], config: { cutoffLen: 2048, perDeviceTrainBatchSize: 4 } });
    const notices = [
      ...cpu.notes, ...cpu.warnings, ...big.notes, ...tiny.notes, ...tiny.warnings,
      ...runConfigFromYaml('model_name_or_path: /m\ndataset: a\ntemplate: qwen\nbf16: true\n').warnings,
      ...proposeTemplate({ ...base, kind: 'instruct' }).notices,
      ...templateChoiceNotices('qwen', base), ...templateChoiceNotices('default', instruct), ...templateChoiceNotices('alpaca', { ...base, kind: 'instruct' }), ...templateChoiceNotices('qwen', instruct),
      guessModelKind('Qwen-7B-Chat', {}, {}, null).reason,
      guessModelKind('m', { eos_token: '<|im_end|>' }, {}, '{{ x }}').reason,
      guessModelKind('m', {}, {}, null).reason,
      guessModelKind('m', { eos_token: '</s>' }, {}, '{{ x }}').reason,
    ];
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'lathe-codes-'));
    fs.writeFileSync(path.join(empty, 'config.json'), '{');
    fs.writeFileSync(path.join(empty, 'a.bin'), 'xy');
    const checked = [
      ...(await checkModelFolder(path.join(empty, 'gone'), [])).problems,
      ...(await checkModelFolder(empty, [{ path: 'a.bin', size: 3, sha256: null, gitSha1: null }, { path: 'b.bin', size: 1, sha256: null, gitSha1: null }])).problems,
    ];
    fs.rmSync(empty, { recursive: true, force: true });
    notices.push(...checked.map((p) => ({ code: p.code!, params: p.params!, message: p.detail })));
    expect(new Set(notices.map((n) => n.code)).size).toBeGreaterThanOrEqual(24);
    for (const n of notices) {
      expect(translateMainMessage('en', n)).toBe(n.message);
      const zh = translateMainMessage('zh', n);
      expect(zh).not.toBe(n.message);
      expect(zh).not.toMatch(/[{}]/);
    }
  });
});
