// The app's side of runs on the real CPU engine: pause/resume/stop with a final checkpoint and resume to the end,
// an engine killed mid-run (failed with its reason, the service keeps working, resume from the checkpoint), the
// one-run-per-device queue, delete, continuous retraining from the previous adapter, defaults and contract events.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runsContract, type RunConfig, type RunStatus } from '../../preload/contract/runs.js';
import { tempHome } from '../helpers/temp-home.js';
import { ENGINE, NO_ENGINE_REASON, TINY_DATA, openRunsBackend, waitFor, yamlConfig, type TestBackend } from '../fixtures/runs/run-helpers.js';

if (!ENGINE) console.warn(`runs-lifecycle: skipped — ${NO_ENGINE_REASON}`);

describe.skipIf(!ENGINE)('runs service lifecycle (CPU engine, tiny model)', { timeout: 180_000 }, () => {
  let home: { dir: string; cleanup(): void };
  let b: TestBackend;
  beforeEach(() => {
    home = tempHome('lathe-runs-app-');
    b = openRunsBackend(home.dir);
  });
  afterEach(() => {
    b.close();
    home.cleanup();
  });

  // Short rows and micro-batch 1: a step takes a few ms on an idle core (CI has two).
  const config = async (extra: Record<string, string | number | boolean>): Promise<RunConfig> =>
    (await b.service.fromYaml({ yaml: yamlConfig({ cutoff_len: 24, per_device_train_batch_size: 1, ...extra }) })).config;
  const row = (id: number) => b.service.manager.store.get(id).row;
  const statusIs = (id: number, ...s: RunStatus[]) => () => s.includes(row(id).status) && row(id);
  const statuses = (id: number) => b.events.filter((e) => e.name === 'runs.status' && e.payload.id === id).map((e) => e.payload.status as string);

  it('a run created without starting waits as a draft until started, then trains to the end', async () => {
    const draft = await b.service.create({ projectId: b.projectId, name: 'later', start: false, config: await config({ max_steps: 3, save_steps: 0, eval_steps: 0, predict_with_generate: false }) });
    expect(draft.status).toBe('draft');
    expect(draft.error).toBeFalsy();
    await new Promise((r) => setTimeout(r, 200));
    expect(row(draft.id).status).toBe('draft');
    await b.service.start({ id: draft.id });
    await waitFor('completed', statusIs(draft.id, 'completed'));
    expect(row(draft.id).step).toBe(3);
    expect(statuses(draft.id)).toEqual(['draft', 'queued', 'preparing', 'running', 'completed']);
  });

  it('pauses, resumes, stops with a final checkpoint, then resumes to the last step with one metric per step', async () => {
    const t0 = Date.now();
    const run = await b.service.create({ projectId: b.projectId, name: 'long', config: await config({ max_steps: 40, save_steps: 0, eval_steps: 0, predict_with_generate: false }) });
    expect(run.name).toBe('long');
    expect(['queued', 'preparing']).toContain(run.status);
    await waitFor('step 2', () => row(run.id).step >= 2);
    await b.service.pause({ id: run.id });
    await waitFor('paused', statusIs(run.id, 'paused'));
    const at = row(run.id).step;
    await new Promise((r) => setTimeout(r, 300));
    expect(row(run.id).step).toBe(at);
    await b.service.resume({ id: run.id });
    await waitFor('running again', () => row(run.id).status === 'running' && row(run.id).step > at);
    const stopped = await b.service.stop({ id: run.id });
    expect(stopped.status).toBe('stopping');
    const done = await waitFor('interrupted after stop', statusIs(run.id, 'completed', 'interrupted'));
    expect(done.status).toBe('interrupted');
    expect(done.step).toBeGreaterThan(at);
    expect(done.step).toBeLessThan(40);
    const after = await b.service.get({ id: run.id });
    expect(after).toMatchObject({ status: 'interrupted', resumable: true, adapterDir: expect.any(String), error: { code: 'stopped', message: `Stopped at step ${done.step} of 40.`, hintCode: 'runHint.resumeFromCheckpoint' } });
    expect((await b.service.artifacts({ id: run.id })).map((a) => [a.kind, a.step])).toEqual([
      ['checkpoint', done.step],
      ['adapter', done.step],
    ]);

    await b.service.resume({ id: run.id });
    await waitFor('completed at 40', () => row(run.id).status === 'completed' && row(run.id).step === 40);
    const metrics = await b.service.metrics({ id: run.id, kind: 'train' });
    expect(metrics.map((m) => m.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(statuses(run.id)).toEqual(['queued', 'preparing', 'running', 'paused', 'running', 'stopping', 'interrupted', 'queued', 'preparing', 'running', 'completed']);
    const log = await b.service.logs({ id: run.id });
    expect(log.text).toMatch(/resuming from output[/\\]checkpoint-\d+/);
    expect(log.text).toMatch(/prepared data of the first attempt reused/);

    // Metrics reach the renderer batched: every point once, in at most one event per 250 ms of the two attempts
    // (plus each attempt's first and last) — far fewer than steps on a quiet machine; the bound follows how long the
    // steps took, so a busy one cannot break it.
    const elapsedMs = Date.now() - t0;
    const batches = b.events.filter((e) => e.name === 'runs.metrics' && e.payload.id === run.id);
    const points = batches.flatMap((e) => e.payload.points).filter((p: any) => p.kind === 'train');
    expect(new Set(points.map((p: any) => p.step)).size).toBe(40);
    expect(batches.length).toBeLessThanOrEqual(Math.floor(elapsedMs / 250) + 4);
    // Every event matches the contract's schema.
    for (const e of b.events) {
      const [domain, name] = e.name.split('.') as [string, keyof typeof runsContract.events];
      if (domain === 'runs') expect(runsContract.events[name].safeParse(e.payload).success, JSON.stringify(e)).toBe(true);
    }
  });

  it('marks a run failed when its engine is killed, keeps working, and resumes from the last checkpoint', async () => {
    const run = await b.service.create({ projectId: b.projectId, config: await config({ max_steps: 24, save_steps: 4, eval_steps: 0, predict_with_generate: false }) });
    await waitFor('step 6', () => row(run.id).step >= 6 && row(run.id).engine_pid);
    process.kill(row(run.id).engine_pid!, 'SIGKILL');
    const failed = await waitFor('failed', statusIs(run.id, 'failed'));
    expect(failed.engine_pid).toBeNull();
    const dto = await b.service.get({ id: run.id });
    expect(dto.error).toMatchObject({ code: 'killed', message: expect.stringMatching(/SIGKILL/) });
    expect(dto.resumable).toBe(true);
    expect((await b.service.list({})).length).toBe(1);

    await b.service.resume({ id: run.id });
    await waitFor('completed', () => row(run.id).status === 'completed' && row(run.id).step === 24);
    const log = (await b.service.logs({ id: run.id })).text;
    const start = Number(/"start_step":(\d+)/.exec(log.slice(log.lastIndexOf('"event":"ready"') - 20))![1]);
    expect(start % 4).toBe(0);
    expect(start).toBeGreaterThanOrEqual(4);
    expect((await b.service.metrics({ id: run.id, kind: 'train' })).map((m) => m.step)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  });

  it('leaves a run interrupted when the app closes mid-run, and resumes it after the next start', async () => {
    const run = await b.service.create({ projectId: b.projectId, config: await config({ max_steps: 30, save_steps: 2, eval_steps: 0, predict_with_generate: false }) });
    await waitFor('step 3', () => row(run.id).step >= 3);
    const enginePid = row(run.id).engine_pid!;
    b.close();
    b = openRunsBackend(home.dir);
    const after = await b.service.get({ id: run.id });
    expect(after).toMatchObject({ status: 'interrupted', resumable: true, error: { code: 'interrupted', message: 'Lathe closed during the run.', hintCode: 'runHint.resumeFromCheckpoint' } });
    await waitFor('engine gone', () => {
      try {
        process.kill(enginePid, 0);
        return false;
      } catch {
        return true;
      }
    });
    await b.service.resume({ id: run.id });
    await waitFor('completed', () => row(run.id).status === 'completed' && row(run.id).step === 30);
    expect((await b.service.metrics({ id: run.id, kind: 'train' })).map((m) => m.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('runs one run per device at a time, refuses to delete a live run, and deletes a finished one with its folder', async () => {
    const c = await config({ max_steps: 400, save_steps: 0, eval_steps: 0, predict_with_generate: false });
    const first = await b.service.create({ projectId: b.projectId, name: 'first', config: c });
    const second = await b.service.create({ projectId: b.projectId, name: 'second', config: { ...c, maxSteps: 4 } });
    await waitFor('first running', statusIs(first.id, 'running'));
    await new Promise((r) => setTimeout(r, 200));
    expect(row(second.id).status).toBe('queued');
    await expect(b.service.delete({ id: first.id })).rejects.toMatchObject({ code: 'conflict' });
    await b.service.stop({ id: first.id });
    await waitFor('second completed', statusIs(second.id, 'completed'));
    expect(row(first.id).status).toBe('interrupted');
    const folder = path.join(home.dir, (await b.service.get({ id: second.id })).folder);
    expect(fs.existsSync(folder)).toBe(true);
    await b.service.delete({ id: second.id });
    expect(fs.existsSync(folder)).toBe(false);
    expect((await b.service.list({})).map((r) => r.name)).toEqual(['first']);
    await expect(b.service.get({ id: second.id })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('retrains on a grown data file from the previous adapter, and compares the two runs', async () => {
    const data = path.join(home.dir, 'tickets.jsonl');
    fs.copyFileSync(TINY_DATA, data);
    const first = await b.service.create({ projectId: b.projectId, name: 'week 1', config: await config({ dataset: data, predict_with_generate: false }) });
    await waitFor('week 1 completed', statusIs(first.id, 'completed'));
    const extra = Array.from({ length: 10 }, (_, i) => JSON.stringify({ instruction: `New question ${i}?`, input: '', output: `New answer ${i}.` })).join('\n');
    fs.appendFileSync(data, `${extra}\n`);
    const second = await b.service.retrain({ id: first.id, datasets: [{ file: data }] });
    expect(second).toMatchObject({ parentRunId: first.id, name: 'week 1 (retrain 2)' });
    await waitFor('retrain completed', statusIs(second.id, 'completed'));
    const parentAdapter = (await b.service.get({ id: first.id })).adapterDir!;
    expect((await b.service.get({ id: second.id })).config.adapterFrom).toBe(parentAdapter);
    const engineJson = JSON.parse(fs.readFileSync(path.join(home.dir, second.folder, 'engine.json'), 'utf8'));
    expect(engineJson.adapter_dir).toBe(parentAdapter);
    const p1 = b.service.manager.store.get(first.id).prepared!;
    const p2 = b.service.manager.store.get(second.id).prepared!;
    expect(Number(p2.trainRecords)).toBeGreaterThan(Number(p1.trainRecords));
    expect(p2.rowsFingerprint).not.toBe(p1.rowsFingerprint);
    expect(p2.datasetIds).not.toEqual(p1.datasetIds);
    const newRows = (await b.service.get({ id: second.id })).prepared!.newRowsSinceParent!;
    expect(newRows).toBeGreaterThan(0);
    expect(newRows).toBeLessThanOrEqual(10);
    expect((await b.service.get({ id: first.id })).prepared!.newRowsSinceParent).toBeNull();
    const cmp = await b.service.compare({ ids: [first.id, second.id] });
    expect(cmp.runs.map((r) => [r.run.id, r.metrics.filter((m) => m.kind === 'train').length])).toEqual([
      [first.id, 6],
      [second.id, 6],
    ]);
  });

  it('generates answers for validation rows and stores them beside the references with BLEU/ROUGE', async () => {
    const run = await b.service.create({ projectId: b.projectId, config: await config({ max_steps: 4, cutoff_len: 128, val_size: 0.3, max_predict_samples: 4, max_new_tokens: 6 }) });
    await waitFor('completed', statusIs(run.id, 'completed'));
    const p = await b.service.predictions({ id: run.id });
    expect(p.total).toBe(4);
    const lines = fs.readFileSync(TINY_DATA, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const x of p.predictions) {
      // The reference is the row's answer; the prompt is the rendered template up to the answer.
      expect(lines[x.row - 1].output).toBe(x.reference);
      expect(x.prompt).toContain(lines[x.row - 1].instruction);
      expect(x.prompt).toMatch(/<\|im_start\|>assistant\n$/);
      expect(typeof x.prediction).toBe('string');
    }
    const { scoreAll } = await import('../../main/evaluation/similarity.js');
    expect(p.scores).toEqual(scoreAll(p.predictions));
    expect((await b.service.get({ id: run.id })).scores).toEqual(p.scores);
  });

  it('keeps only the newest checkpoints with save_total_limit, and prunes on request', async () => {
    const run = await b.service.create({ projectId: b.projectId, config: await config({ max_steps: 8, save_steps: 1, save_total_limit: 3, eval_steps: 0, predict_with_generate: false }) });
    await waitFor('completed', statusIs(run.id, 'completed'));
    const ckpts = (await b.service.artifacts({ id: run.id })).filter((a) => a.kind === 'checkpoint');
    expect(ckpts.map((a) => a.step)).toEqual([5, 6, 7]);
    const outDir = path.join(home.dir, run.folder, 'output');
    expect(fs.readdirSync(outDir).filter((n) => n.startsWith('checkpoint-')).sort()).toEqual(['checkpoint-5', 'checkpoint-6', 'checkpoint-7']);
    const left = await b.service.pruneCheckpoints({ id: run.id, keepLast: 1 });
    expect(left.map((a) => [a.kind, a.step])).toEqual([
      ['checkpoint', 7],
      ['adapter', 8],
    ]);
    expect(fs.readdirSync(outDir).filter((n) => n.startsWith('checkpoint-'))).toEqual(['checkpoint-7']);
  });

  it('proposes CPU defaults for the demo model, says why, and shows the equivalent CLI command', async () => {
    const d = await b.service.defaults({});
    expect(d.device).toBe('cpu');
    expect(d.estimatedBytes).toBeNull();
    expect(d.notes.map((n) => n.message).join('\n')).toMatch(/No NVIDIA GPU found/);
    expect(d.notes).toContainEqual(expect.objectContaining({ code: 'runDefaults.noGpu' }));
    expect(d.config).toMatchObject({ model: expect.stringContaining('lathe-tiny-llama'), device: 'cpu', perDeviceTrainBatchSize: 1, gradientAccumulationSteps: 8 });
    const cli = await b.service.cliCommand({ config: await config({}), name: 'demo run' });
    expect(cli.command).toBe(`lathe --home ${home.dir} train demo-run.yaml`);
    expect((await b.service.fromYaml({ yaml: cli.yaml })).config).toEqual(await config({}));
  });
});
