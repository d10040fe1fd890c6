// `lathe chat --prompt … --json` on the tiny model: the documented JSON shape, greedy repeatability, sampling
// flags, the ONNX engine on a plain folder (exported once, cached), and clear errors (broken folder, unknown run).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEngineBinary } from '../../main/engine/engine-binary.js';
import { defaultModelPath } from '../../main/models/default-model.js';
import { RunConfig } from '../../preload/contract/runs.js';
import { RunsStore } from '../../main/db/runs-store.js';
import { startBackend } from '../../main/services/backend.js';
import { makeTinyAdapter } from '../fixtures/export/tiny-adapter.js';
import { runLathe } from '../helpers/run-cli.js';
import { tempHome } from '../helpers/temp-home.js';

const MODEL = defaultModelPath();

describe('lathe chat', () => {
  let home: ReturnType<typeof tempHome>;
  beforeAll(() => {
    home = tempHome('lathe-chat-');
  });
  afterAll(() => home.cleanup());

  it.skipIf(!findEngineBinary())('--prompt --json answers greedily with {text, tokens, tokens_per_s, engine}', async () => {
    const a = await runLathe('--home', home.dir, '--json', 'chat', MODEL, '--prompt', 'Where is my order?', '--max-new-tokens', '16');
    expect(a.code).toBe(0);
    const j = a.json<{ text: string; tokens: number[]; tokens_per_s: number; engine: string }>();
    expect(j.engine).toBe('native');
    expect(typeof j.text).toBe('string');
    expect(j.tokens.length).toBeGreaterThan(0);
    expect(j.tokens.length).toBeLessThanOrEqual(16);
    expect(j.tokens_per_s).toBeGreaterThan(0);
    const b = await runLathe('--home', home.dir, '--json', 'chat', MODEL, '--prompt', 'Where is my order?', '--max-new-tokens', '16');
    expect(b.json<{ tokens: number[] }>().tokens).toEqual(j.tokens);
    const sampled = await runLathe('--home', home.dir, '--json', 'chat', MODEL, '--prompt', 'Where is my order?', '--max-new-tokens', '16', '--temperature', '1.5', '--seed', '5');
    expect(sampled.code).toBe(0);
    expect(sampled.json<{ tokens: number[] }>().tokens).not.toEqual(j.tokens);
  });

  it.skipIf(!findEngineBinary())('a run id chats with its base model + adapter, and the playground lists it beside its base', async () => {
    const backend = startBackend(home.dir, 'web');
    let runId: number;
    try {
      const project = await backend.services.projects.create({ name: 'chat-run' });
      const runs = new RunsStore(backend.workspace.db);
      const run = runs.create(project.id, 'support-v1', RunConfig.parse({ model: MODEL, datasets: [{ id: 1 }], template: 'chatml' }), null);
      runId = run.row.id;
      makeTinyAdapter(path.join(home.dir, 'run-adapter'));
      runs.addArtifact(project.id, runId, 'adapter', 'run-adapter', 1, {});
      const targets = await backend.services.playground.targets({ projectId: project.id });
      expect(targets.map((t) => t.key)).toEqual([`model:${MODEL}`, `run:${runId}`]);
      expect(targets[0]).toMatchObject({ modelName: path.basename(MODEL), runName: null });
      expect(targets[1]).toMatchObject({ runId, modelName: path.basename(MODEL), runName: 'support-v1', template: 'chatml', target: { model: MODEL, adapter: path.join(home.dir, 'run-adapter') } });
    } finally {
      backend.close();
    }
    const args = ['--prompt', 'Where is my order?', '--max-new-tokens', '16'];
    const tuned = (await runLathe('--home', home.dir, '--json', 'chat', String(runId), ...args)).json<{ tokens: number[] }>();
    const withAdapter = (await runLathe('--home', home.dir, '--json', 'chat', MODEL, '--adapter', path.join(home.dir, 'run-adapter'), ...args)).json<{ tokens: number[] }>();
    const base = (await runLathe('--home', home.dir, '--json', 'chat', MODEL, ...args)).json<{ tokens: number[] }>();
    expect(tuned.tokens).toEqual(withAdapter.tokens);
    expect(tuned.tokens).not.toEqual(base.tokens);
  });

  it('a broken model folder is a clear error with exit code 1', async () => {
    const broken = path.join(home.dir, 'broken');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'config.json'), '{ not json');
    const r = await runLathe('--home', home.dir, '--json', 'chat', broken, '--prompt', 'hi');
    expect(r.code).toBe(1);
    expect(r.json<{ error: { code: string; message: string } }>().error.message).toMatch(/config\.json is not valid JSON/);
  });

  it('names what is wrong: unknown run, bad flag, ONNX engine without an export', async () => {
    const run = await runLathe('--home', home.dir, '--json', 'chat', '999', '--prompt', 'hi');
    expect(run.code).toBe(1);
    expect(run.json<{ error: { message: string } }>().error.message).toMatch(/No run 999/);
    const flag = await runLathe('--home', home.dir, '--json', 'chat', MODEL, '--engine', 'gpu', '--prompt', 'hi');
    expect(flag.code).toBe(2);
    const onnx = await runLathe('--home', home.dir, '--json', 'chat', path.join(home.dir, 'nowhere'), '--engine', 'onnx', '--prompt', 'hi');
    expect(onnx.code).toBe(1);
    expect(onnx.json<{ error: { code: string; message: string } }>().error.code).toBe('not_found');
  });

  it.skipIf(!findEngineBinary())('--engine onnx exports a plain model folder once (cached) and answers as the native engine does', async () => {
    const args = ['--home', home.dir, '--json', 'chat', MODEL, '--prompt', 'Where is my order?', '--max-new-tokens', '24'];
    const native = (await runLathe(...args)).json<{ tokens: number[] }>();
    const first = await runLathe(...args, '--engine', 'onnx');
    expect(first.code).toBe(0);
    const j = first.json<{ tokens: number[]; engine: string; text: string }>();
    expect(j.engine).toBe('onnx');
    expect(j.tokens).toEqual(native.tokens);
    const cached = fs.readdirSync(path.join(home.dir, 'cache', 'onnx'));
    expect(cached).toHaveLength(1);
    expect(fs.existsSync(path.join(home.dir, 'cache', 'onnx', cached[0]!, 'model.onnx'))).toBe(true);
    const again = await runLathe(...args, '--engine', 'onnx');
    expect(again.json<{ tokens: number[] }>().tokens).toEqual(native.tokens);
    expect(fs.readdirSync(path.join(home.dir, 'cache', 'onnx'))).toEqual(cached);
  });
});
