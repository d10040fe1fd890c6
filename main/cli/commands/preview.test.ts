import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../main.js';

function capture() {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } }, out: () => out, err: () => err };
}

describe('lathe model / preview / tokenize', () => {
  const home = mkdtempSync(join(tmpdir(), 'lathe-cli-home-'));
  const file = join(home, 'data.jsonl');
  writeFileSync(file, [{ instruction: 'Hi', output: 'Hello!' }, { instruction: 'Long', output: 'word '.repeat(100) }].map((r) => JSON.stringify(r)).join('\n'));

  it('model inspect --json prints the card of the demo model', async () => {
    const c = capture();
    expect(await runCli(['--home', home, '--json', 'model', 'inspect', 'data/models/lathe-tiny-llama'], c.io as never)).toBe(0);
    const card = JSON.parse(c.out()) as { architecture: string; parameters: number; vocabSize: number; proposedTemplate: string; dtype: string };
    expect(card).toMatchObject({ architecture: 'LlamaForCausalLM', parameters: 1_787_008, vocabSize: 4096, proposedTemplate: 'chatml', dtype: 'BF16' });
  });

  it('preview --json: text is the concatenation of the segments', async () => {
    const c = capture();
    expect(await runCli(['--home', home, '--json', 'preview', file, '--model', 'data/models/lathe-tiny-llama', '--rows', '2', '--cutoff', '40'], c.io as never)).toBe(0);
    const doc = JSON.parse(c.out()) as { template: string; records: { text: string; segments: { text: string; trained: boolean }[]; input_ids: number[]; labels: number[] }[]; stats: { truncated: number } };
    expect(doc.template).toBe('chatml');
    for (const r of doc.records) {
      expect(r.text).toBe(r.segments.map((s) => s.text).join(''));
      expect(r.labels.length).toBe(r.input_ids.length);
    }
    expect(doc.records[0]!.segments[1]).toEqual({ text: 'Hello!<|im_end|>\n', trained: true });
    expect(doc.stats.truncated).toBe(1);
  });

  it('tokenize --json writes a .ltok file; an unknown template is a not_found error', async () => {
    const c = capture();
    const out = join(home, 'train.ltok');
    expect(await runCli(['--home', home, '--json', 'tokenize', file, '--out', out, '--model', 'data/models/lathe-tiny-llama'], c.io as never)).toBe(0);
    expect(readFileSync(out).subarray(0, 8).toString()).toBe('LATHETOK');
    const bad = capture();
    expect(await runCli(['--home', home, '--json', 'preview', file, '--template', 'nope'], bad.io as never)).not.toBe(0);
    expect(JSON.parse(bad.out()).error.code).toBe('not_found');
  });
});
