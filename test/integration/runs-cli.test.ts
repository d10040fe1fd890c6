// `lathe train` and `lathe run` on the real CPU engine and the tiny model: JSON lines, the stored history, the
// adapter and evaluation, bad configurations, and a diverging (NaN) run that fails cleanly.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetsStore } from '../../main/db/datasets-store.js';
import { openWorkspace } from '../../main/workspace/workspace.js';
import { runLathe } from '../helpers/run-cli.js';
import { tempHome } from '../helpers/temp-home.js';
import { ENGINE, NO_ENGINE_REASON, jsonLines, writeYaml } from '../fixtures/runs/run-helpers.js';

if (!ENGINE) console.warn(`runs-cli: skipped — ${NO_ENGINE_REASON}`);

describe.skipIf(!ENGINE)('lathe train / lathe run (CPU engine, tiny model)', { timeout: 180_000 }, () => {
  let home: { dir: string; cleanup(): void };
  beforeEach(() => {
    home = tempHome('lathe-runs-cli-');
  });
  afterEach(() => home.cleanup());

  it('trains from YAML, streams typed JSON lines, stores metrics, artifacts and scores, and writes the adapter', async () => {
    const out = path.join(home.dir, 'adapter-out');
    const yaml = writeYaml(home.dir, 'run.yaml', { output_dir: out, run_name: 'cli run' });
    const r = await runLathe('--home', home.dir, '--json', 'train', yaml);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.type)).toEqual(['ready', 'step', 'step', 'step', 'eval', 'checkpoint', 'step', 'step', 'step', 'eval', 'done']);
    const [ready] = lines;
    expect(ready).toMatchObject({ type: 'ready', run_id: 1, total_steps: 6, start_step: 0, backend: 'cpu', train_records: 21, eval_records: 5 });
    for (const s of lines.filter((l) => l.type === 'step')) {
      expect(Object.keys(s)).toEqual(expect.arrayContaining(['step', 'loss', 'lr', 'grad_norm', 'tokens_per_s']));
      expect(Number.isFinite(s.loss)).toBe(true);
    }
    expect(lines.find((l) => l.type === 'checkpoint')).toMatchObject({ step: 3, path: expect.stringMatching(/runs[/\\]1[/\\]output[/\\]checkpoint-3$/) });
    const done = lines.at(-1);
    expect(done).toMatchObject({ type: 'done', run_id: 1, status: 'completed', step: 6, max_steps: 6 });
    expect(fs.existsSync(path.join(done.adapter_dir, 'adapter_model.safetensors'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'adapter_model.safetensors'))).toBe(true);
    expect(done.scores).toMatchObject({ samples: 3 });

    const list = await runLathe('--home', home.dir, '--json', 'run', 'list');
    expect(list.code).toBe(0);
    expect(list.json().runs).toEqual([expect.objectContaining({ id: 1, name: 'cli run', status: 'completed', step: 6, max_steps: 6, created_at: expect.any(String) })]);

    const show = await runLathe('--home', home.dir, '--json', 'run', 'show', '1');
    const run = show.json().run;
    expect(run.config).toMatchObject({ model_name_or_path: expect.stringContaining('lathe-tiny-llama'), lora_rank: 4, max_steps: 6, template: 'qwen' });
    const train = run.metrics.filter((m: any) => m.kind === 'train');
    expect(train.map((m: any) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(train.map((m: any) => m.loss)).toEqual(lines.filter((l) => l.type === 'step').map((l) => l.loss));
    expect(run.metrics.filter((m: any) => m.kind === 'eval').map((m: any) => m.step)).toEqual([3, 6]);
    expect(run.artifacts.map((a: any) => [a.kind, a.step])).toEqual([
      ['checkpoint', 3],
      ['adapter', 6],
    ]);
    for (const a of run.artifacts) expect(a.bytes).toBeGreaterThan(1000);
    expect(run.scores).toMatchObject({ samples: 3, bleu4: expect.any(Number), rougeL: expect.any(Number) });

    const human = await runLathe('--home', home.dir, 'run', 'list');
    expect(human.stdout).toMatch(/1\s+completed\s+6\/6\s+loss \d+\.\d{4}\s+cli run/);
    const logs = await runLathe('--home', home.dir, 'run', 'logs', '1');
    expect(logs.stdout).toMatch(/"event":"ready"/);
    expect(logs.stdout).toMatch(/evaluation: 3 samples, BLEU-4/);
  });

  it('trains on a workspace dataset named in the YAML, in the project given, without importing it again', async () => {
    const first = await runLathe('--home', home.dir, '--json', 'train', '--project', 'Support', writeYaml(home.dir, 'a.yaml', { max_steps: 2, predict_with_generate: false }));
    expect(first.code, first.stderr).toBe(0);
    const ws = openWorkspace(home.dir);
    let name: string;
    try {
      const datasets = new DatasetsStore(ws.db).list();
      expect(datasets.length).toBe(1);
      name = datasets[0]!.name;
    } finally {
      ws.close();
    }
    const byName = await runLathe('--home', home.dir, '--json', 'train', '--project', 'Support', writeYaml(home.dir, 'b.yaml', { dataset: name, max_steps: 2, predict_with_generate: false }));
    expect(byName.code, byName.stderr).toBe(0);
    const again = await runLathe('--home', home.dir, '--json', 'train', '--project', 'Support', writeYaml(home.dir, 'c.yaml', { max_steps: 2, predict_with_generate: false }));
    expect(again.code, again.stderr).toBe(0);
    const ws2 = openWorkspace(home.dir);
    try {
      expect(new DatasetsStore(ws2.db).list().length).toBe(1);
    } finally {
      ws2.close();
    }
    // Same rows, template, tokenizer and options: the third run's tokens come from the cache.
    expect((await runLathe('--home', home.dir, 'run', 'logs', '3')).stdout).toMatch(/prepared train: 21 records, \d+ tokens \(cached\)/);
    const runs = (await runLathe('--home', home.dir, '--json', 'run', 'list', '--project', 'Support')).json().runs;
    expect(runs.map((r: any) => r.status)).toEqual(['completed', 'completed', 'completed']);
    const missing = await runLathe('--home', home.dir, '--json', 'train', '--project', 'Support', writeYaml(home.dir, 'd.yaml', { dataset: 'no-such-dataset' }));
    expect(jsonLines(missing.stdout).at(-1)).toMatchObject({ type: 'error', code: 'not_found', message: expect.stringMatching(/no dataset named “no-such-dataset”/) });
  });

  it('trains with QLoRA (quantization_bit: 4, NF4 base weights) like LoRA, and refuses 8-bit with a reason', async () => {
    const lora = jsonLines((await runLathe('--home', home.dir, '--json', 'train', writeYaml(home.dir, 'l.yaml', { max_steps: 3, predict_with_generate: false }))).stdout);
    const q = await runLathe('--home', home.dir, '--json', 'train', writeYaml(home.dir, 'q.yaml', { max_steps: 3, quantization_bit: 4, predict_with_generate: false }));
    const lines = jsonLines(q.stdout);
    expect(lines.at(-1), q.stderr).toMatchObject({ type: 'done', status: 'completed', step: 3 });
    const losses = (ls: any[]) => ls.filter((l) => l.type === 'step').map((l) => l.loss as number);
    // NF4 changes the frozen weights a little: the first loss is close to plain LoRA's, not equal.
    const [a, b] = [losses(lora)[0]!, losses(lines)[0]!];
    expect(b).not.toBe(a);
    expect(Math.abs(b - a) / a).toBeLessThan(0.05);
    const eight = await runLathe('--home', home.dir, '--json', 'train', writeYaml(home.dir, 'q8.yaml', { max_steps: 3, quantization_bit: 8 }));
    expect(jsonLines(eight.stdout).at(-1)).toMatchObject({ type: 'error', code: 'unsupported', message: expect.stringMatching(/quantization_bit: 4/) });
  });

  it('prints a progress bar with loss and ETA without --json', async () => {
    const r = await runLathe('--home', home.dir, 'train', writeYaml(home.dir, 'run.yaml', { predict_with_generate: false }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[#{24}\] 6\/6 loss \d+\.\d{4} lr [\d.e+-]+ ETA \d+s/);
    expect(r.stdout).toMatch(/run 1 completed; adapter: .*output/);
  });

  it('refuses bad configurations with the key named, before any run exists', async () => {
    const unknown = await runLathe('--home', home.dir, '--json', 'train', writeYaml(home.dir, 'a.yaml', { lora_rnak: 8 }));
    expect(unknown.code).toBe(1);
    expect(jsonLines(unknown.stdout)[0].error).toMatchObject({ code: 'bad_input', message: expect.stringMatching(/unknown key lora_rnak/) });
    const range = await runLathe('--home', home.dir, '--json', 'train', writeYaml(home.dir, 'b.yaml', { learning_rate: -1 }));
    expect(jsonLines(range.stdout)[0].error.message).toMatch(/learning_rate:/);
    const model = await runLathe('--home', home.dir, '--json', 'train', writeYaml(home.dir, 'c.yaml', { model_name_or_path: path.join(home.dir, 'no-model') }));
    expect(jsonLines(model.stdout)[0].error.message).toMatch(/not a model folder/);
    const missing = await runLathe('--home', home.dir, '--json', 'train', path.join(home.dir, 'nope.yaml'));
    expect(jsonLines(missing.stdout)[0].error.code).toBe('not_found');
    expect((await runLathe('--home', home.dir, '--json', 'run', 'list')).json().runs).toEqual([]);
  });

  it('marks a run failed, with the reason, when preparation or the engine refuses it', async () => {
    const tpl = await runLathe('--home', home.dir, '--json', 'train', writeYaml(home.dir, 'a.yaml', { template: 'no-such-template' }));
    expect(tpl.code).toBe(1);
    expect(jsonLines(tpl.stdout).at(-1)).toMatchObject({ type: 'error', status: 'failed', code: 'not_found', message: expect.stringMatching(/no-such-template/) });
    const engine = await runLathe('--home', home.dir, '--json', 'train', writeYaml(home.dir, 'b.yaml', { lora_target: 'nonsense_proj' }));
    expect(jsonLines(engine.stdout).at(-1)).toMatchObject({ type: 'error', status: 'failed', code: 'config_invalid' });
    const runs = (await runLathe('--home', home.dir, '--json', 'run', 'list')).json().runs;
    expect(runs.map((r: any) => r.status)).toEqual(['failed', 'failed']);
  });

  it('fails a diverging run with the NaN step named, keeps the last checkpoint, and can resume', async () => {
    const r = await runLathe('--home', home.dir, '--json', 'train', writeYaml(home.dir, 'nan.yaml', { debug_nan_at_step: 4, predict_with_generate: false }));
    expect(r.code).toBe(1);
    const lines = jsonLines(r.stdout);
    expect(lines.filter((l) => l.type === 'step').map((l) => l.step)).toEqual([1, 2, 3, 4]);
    expect(lines.at(-1)).toMatchObject({ type: 'error', code: 'numeric', message: 'loss is NaN at step 5', status: 'failed' });
    const show = (await runLathe('--home', home.dir, '--json', 'run', 'show', '1')).json().run;
    expect(show).toMatchObject({ status: 'failed', step: 4, resumable: true, error: { code: 'numeric' } });
    expect(show.artifacts.map((a: any) => a.kind)).toEqual(['checkpoint']);
    // Resuming replays from checkpoint-3, so the NaN hook (0-based step 4) fires again: same clean failure.
    const again = await runLathe('--home', home.dir, '--json', 'run', 'resume', '1');
    const l2 = jsonLines(again.stdout);
    expect(l2[0]).toMatchObject({ type: 'ready', start_step: 3 });
    expect(l2.at(-1)).toMatchObject({ type: 'error', code: 'numeric' });
  });
});
