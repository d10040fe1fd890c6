import { describe, expect, it } from 'vitest';
import type { RunConfig } from '../../../../preload/contract/runs.js';
import { fakeRuns, point, runDto, testStore } from '../testing/fake-services.js';
import { appendLog, mergeMetrics } from './live-metrics.js';
import { runDurationS, runsSelectors } from './selectors.js';

const config = { model: 'data/models/lathe-tiny-llama', datasets: [{ id: 1 }], template: 'llama3' } as unknown as RunConfig;

describe('live metrics', () => {
  it('merges history and events without duplicating a step', () => {
    const m = mergeMetrics([point(1, 3), point(2, 2.5)], [point(2, 2.5), point(3, 2), point(3, 1.9, 'eval')]);
    expect(m.map((p) => `${p.kind}${p.step}`)).toEqual(['train1', 'train2', 'train3', 'eval3']);
    expect(appendLog(['a', 'b'], ['c', 'd'], 3)).toEqual(['b', 'c', 'd']);
    // A batch repeating the tail (it crossed the log file read) adds only what is new.
    expect(appendLog(['x', 'a', 'b'], ['a', 'b', 'c'], 10)).toEqual(['x', 'a', 'b', 'c']);
    expect(appendLog(['a', 'b'], ['a', 'b'], 10)).toEqual(['a', 'b']);
  });
});

describe('runs slice', () => {
  it('creates a run, makes it active and folds live events in', async () => {
    const f = fakeRuns();
    const s = testStore({ runs: f.service });
    await s.getState().loadRuns(1);
    expect(runsSelectors.isEmpty(s.getState())).toBe(true);
    const off = s.getState().watchRuns();
    const run = await s.getState().createRun(1, config, 'first');
    expect(run?.name).toBe('first');
    expect(runsSelectors.active(s.getState())?.id).toBe(run!.id);
    f.status.emit({ id: run!.id, projectId: 1, status: 'running', step: 1, maxSteps: 10, error: null });
    f.metrics.emit({ id: run!.id, points: [point(1, 3.2), point(2, 3.0)] });
    f.metrics.emit({ id: run!.id, points: [point(2, 3.0), point(3, 2.8)] });
    f.log.emit({ id: run!.id, lines: ['step 3 loss 2.8'] });
    expect(runsSelectors.live(s.getState())?.metrics.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(runsSelectors.live(s.getState())?.log).toEqual(['step 3 loss 2.8']);
    expect(runsSelectors.active(s.getState())).toMatchObject({ status: 'running', lastLoss: 2.8, step: 3 });
    expect(runsSelectors.inProgress(s.getState())?.id).toBe(run!.id);
    off();
    f.metrics.emit({ id: run!.id, points: [point(4, 2.7)] });
    expect(runsSelectors.live(s.getState())?.metrics).toHaveLength(3);
  });

  it('a status event that overtakes a create or get reply is not lost', async () => {
    const f = fakeRuns();
    const s = testStore({ runs: f.service });
    await s.getState().loadRuns(1);
    s.getState().watchRuns();
    // The engine reports 'running' while create's reply (which still says 'queued') is on its way.
    f.whileReplying((run) => f.status.emit({ id: run.id, projectId: 1, status: 'running', step: 2, maxSteps: 10, error: null }));
    const run = await s.getState().createRun(1, config);
    expect(runsSelectors.active(s.getState())).toMatchObject({ id: run!.id, status: 'running', step: 2 });
    // The dashboard opens the run: the engine reports 'paused' while runs.get's older snapshot is on its way.
    f.whileReplying((r) => f.status.emit({ id: r.id, projectId: 1, status: 'paused', step: 3, maxSteps: 10, error: null }));
    await s.getState().openRun(run!.id);
    expect(runsSelectors.active(s.getState())).toMatchObject({ status: 'paused', step: 3 });
    // A reply asked for after the event is the newer one.
    f.whileReplying(() => undefined);
    f.set(run!.id, { status: 'stopping', step: 4 });
    await s.getState().openRun(run!.id);
    expect(runsSelectors.active(s.getState())).toMatchObject({ status: 'stopping', step: 4 });
  });

  it('a status event between the get reply and the history reply is not overwritten by the older row', async () => {
    const f = fakeRuns();
    f.runs.push(runDto(1, 1, { status: 'preparing' }));
    const s = testStore({ runs: f.service });
    await s.getState().loadRuns(1);
    s.getState().watchRuns();
    // runs.get has answered 'preparing'; the engine's 'running' arrives while the metric history is still on its way.
    f.whileMetricsRequested(async () => {
      await new Promise((r) => setTimeout(r, 0));
      f.status.emit({ id: 1, projectId: 1, status: 'running', step: 1, maxSteps: 10, error: null });
    });
    await s.getState().openRun(1);
    expect(runsSelectors.active(s.getState())).toMatchObject({ status: 'running', step: 1 });
  });

  it('opening a run loads history and keeps events that arrived meanwhile', async () => {
    const f = fakeRuns();
    f.runs.push(runDto(1, 1, { status: 'running' }));
    f.history.set(1, [point(1, 3), point(2, 2.9)]);
    const s = testStore({ runs: f.service });
    await s.getState().loadRuns(1);
    s.getState().watchRuns();
    f.whileMetricsRequested(() => f.metrics.emit({ id: 1, points: [point(3, 2.7)] }));
    await s.getState().openRun(1);
    expect(runsSelectors.live(s.getState())?.metrics.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(runsSelectors.live(s.getState())?.log).toEqual(['line 1', 'line 2']);
  });

  it('pause/resume/stop update the row; a refused delete keeps the message', async () => {
    const f = fakeRuns();
    f.runs.push(runDto(1, 1, { status: 'running' }));
    const s = testStore({ runs: f.service });
    await s.getState().loadRuns(1);
    await s.getState().pauseRun(1);
    expect(s.getState().runs[0]?.status).toBe('paused');
    await s.getState().resumeRun(1);
    expect(s.getState().runs[0]?.status).toBe('running');
    expect(await s.getState().deleteRun(1)).toBe(false);
    expect(runsSelectors.error(s.getState())).toBe('Stop the run before deleting it.');
    await s.getState().stopRun(1);
    expect(s.getState().runs[0]?.status).toBe('stopping');
  });

  it('defaults failures become messages; compare selection is capped at 8; CLI command shown and hidden', async () => {
    const s = testStore();
    await s.getState().loadRunDefaults('/nope');
    expect(runsSelectors.error(s.getState())).toBe('No model folder at /nope.');
    expect(s.getState().defaultsBusy).toBe(false);
    for (let i = 1; i <= 10; i++) s.getState().toggleCompare(i);
    expect(s.getState().compareIds).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    s.getState().toggleCompare(5);
    expect(s.getState().compareIds).not.toContain(5);
    await s.getState().showCliCommand(config);
    expect(s.getState().cliCommand?.command).toContain('lathe train');
    s.getState().hideCliCommand();
    expect(s.getState().cliCommand).toBeUndefined();
  });

  it('reads a LLaMA-Factory YAML into a config with its warnings; a bad one is a message', async () => {
    const s = testStore();
    const r = await s.getState().configFromYaml('model_name_or_path: /m\ntemplate: qwen\n');
    expect(r?.config).toMatchObject({ template: 'qwen', loraRank: 16 });
    expect(r?.warnings).toEqual([{ code: 'runYaml.ignoredKey', params: { key: 'deepspeed' }, message: 'deepspeed is decided by Lathe and was ignored.' }]);
    expect(await s.getState().configFromYaml('stage: sft')).toBeUndefined();
    expect(runsSelectors.error(s.getState())).toBe('The YAML names no model_name_or_path.');
  });

  it('computes durations', () => {
    expect(runDurationS(runDto(1, 1, { startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:01:15Z' }))).toBe(75);
    expect(runDurationS(runDto(1, 1))).toBeUndefined();
  });
});
