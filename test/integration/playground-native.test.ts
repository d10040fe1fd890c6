// The playground service on the native engine with the tiny model: streamed tokens match the final answer, stop
// tokens end it, stop cancels, base vs adapter panes differ, and a broken model folder gives a clear error.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playgroundContract, type GenerationResultDto, type TokenEvent } from '../../preload/contract/playground.js';
import { findEngineBinary } from '../../main/engine/engine-binary.js';
import { defaultModelPath } from '../../main/models/default-model.js';
import { startBackend, type Backend } from '../../main/services/backend.js';
import { writeSafetensors } from '../../main/models/safetensors-writer.js';
import { tempHome } from '../helpers/temp-home.js';

const engine = findEngineBinary();
const MODEL = defaultModelPath();
const question = [{ role: 'user' as const, content: 'How do I reset my password?' }];

describe.skipIf(!engine)('playground on the native engine', () => {
  let home: ReturnType<typeof tempHome>;
  let backend: Backend;
  const events: { name: string; payload: unknown }[] = [];

  beforeAll(() => {
    home = tempHome('lathe-playground-');
    backend = startBackend(home.dir, 'web');
    backend.events.subscribe((name, payload) => events.push({ name, payload }));
  });
  afterAll(() => {
    backend.close();
    home.cleanup();
  });

  it('streams tokens that add up to the answer, greedy and repeatable', async () => {
    const pg = backend.services.playground;
    const a = await pg.generate({ paneId: 'a', generationId: 'g1', target: { model: MODEL }, messages: question, sampling: { maxNewTokens: 12 } });
    expect(a.engine).toBe('native');
    expect(a.tokens.length).toBeGreaterThan(0);
    expect(a.tokens.length).toBeLessThanOrEqual(12);
    expect(a.tokensPerS).toBeGreaterThan(0);
    const streamed = events.filter((e) => e.name === 'playground.token' && (e.payload as TokenEvent).generationId === 'g1').map((e) => e.payload as TokenEvent);
    expect(streamed.flatMap((t) => t.ids)).toEqual(a.tokens.filter((t) => t !== 4095 && t !== 4093));
    expect(streamed.map((t) => t.text).join('')).toBe(a.text);
    const done = events.find((e) => e.name === 'playground.done' && (e.payload as GenerationResultDto).generationId === 'g1');
    expect((done?.payload as GenerationResultDto).tokens).toEqual(a.tokens);
    const again = await pg.generate({ paneId: 'a', generationId: 'g2', target: { model: MODEL }, messages: question, sampling: { maxNewTokens: 12 } });
    expect(again.tokens).toEqual(a.tokens);
    // Every event is what the contract says it is.
    const ours = events.filter((e) => e.name.startsWith('playground.'));
    expect(ours.length).toBeGreaterThan(2);
    for (const e of ours) playgroundContract.events[e.name.slice('playground.'.length) as keyof typeof playgroundContract.events].parse(e.payload);
  });

  it('ends the answer at a stop token and leaves it out of the text', async () => {
    const pg = backend.services.playground;
    const free = await pg.generate({ paneId: 'b', generationId: 'g3', target: { model: MODEL }, messages: question, sampling: { maxNewTokens: 8 } });
    // Make the third greedy token a stop word: a template whose stop word is that token's text.
    const k = free.tokens.findIndex((t, i) => i > 0 && !free.tokens.slice(0, i).includes(t));
    expect(k).toBeGreaterThan(0);
    const third = free.tokens[k]!;
    const rendered = await pg.render({ model: MODEL, messages: question });
    expect(rendered.stopTokenIds).toContain(4095);
    expect(rendered.template).toBe('chatml');
    const tok = (await import('../../main/tokenizer/tokenizer.js')).Tokenizer;
    const t = await tok.fromFile(path.join(MODEL, 'tokenizer.json'));
    const word = t.idToToken(third)!;
    const store = (await import('../../main/db/templates-store.js')).TemplatesStore;
    const { builtinTemplate } = await import('../../main/templates/template-registry.js');
    const chatml = builtinTemplate('chatml')!;
    new store(backend.workspace.db).save({ ...chatml, name: 'chatml-stop-test', stopWords: [word] });
    const stopped = await pg.generate({ paneId: 'b', generationId: 'g4', target: { model: MODEL }, template: 'chatml-stop-test', messages: question, sampling: { maxNewTokens: 8 } });
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.tokens).toEqual(free.tokens.slice(0, k + 1));
    expect(stopped.text).toBe(t.decode(free.tokens.slice(0, k), { skipSpecialTokens: true }));
  });

  it('stop cancels a long answer promptly, and the pane answers again afterwards', async () => {
    const pg = backend.services.playground;
    await pg.generate({ paneId: 'c', generationId: 'g4b', target: { model: MODEL }, messages: question, sampling: { maxNewTokens: 3 } });
    const running = pg.generate({ paneId: 'c', generationId: 'g5', target: { model: MODEL }, messages: question, sampling: { maxNewTokens: 20000 } });
    await new Promise<void>((resolve) => {
      const unsub = backend.events.subscribe((name, p) => {
        if (name === 'playground.token' && (p as TokenEvent).generationId === 'g5') {
          unsub();
          resolve();
        }
      });
    });
    const t0 = Date.now();
    expect(await pg.stop({ paneId: 'c' })).toEqual({ stopped: true });
    const res = await running;
    expect(res.finishReason).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(res.tokens.length).toBeLessThan(20000);
    expect(res.tokens.length).toBeGreaterThan(0);
    expect(res.text.length).toBeGreaterThan(0);
    const next = await pg.generate({ paneId: 'c', generationId: 'g6', target: { model: MODEL }, messages: question, sampling: { maxNewTokens: 4 } });
    expect(next.tokens.length).toBeGreaterThan(0);
  });

  it('a pane with an adapter answers differently from the base model', async () => {
    const adapter = path.join(home.dir, 'adapter');
    fs.mkdirSync(adapter);
    const cfg = JSON.parse(fs.readFileSync(path.join(MODEL, 'config.json'), 'utf8')) as { hidden_size: number; num_hidden_layers: number; head_dim: number; num_attention_heads: number };
    const r = 4;
    fs.writeFileSync(
      path.join(adapter, 'adapter_config.json'),
      JSON.stringify({ peft_type: 'LORA', r, lora_alpha: 8, target_modules: ['q_proj'], lora_dropout: 0, bias: 'none', task_type: 'CAUSAL_LM', use_rslora: false }),
    );
    const tensors = [];
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 2;
    for (let l = 0; l < cfg.num_hidden_layers; l++) {
      const out = cfg.num_attention_heads * cfg.head_dim;
      const pre = `base_model.model.model.layers.${l}.self_attn.q_proj`;
      tensors.push({ name: `${pre}.lora_A.weight`, dtype: 'F32', shape: [r, cfg.hidden_size], data: new Uint8Array(Float32Array.from({ length: r * cfg.hidden_size }, rnd).buffer) });
      tensors.push({ name: `${pre}.lora_B.weight`, dtype: 'F32', shape: [out, r], data: new Uint8Array(Float32Array.from({ length: out * r }, rnd).buffer) });
    }
    writeSafetensors(path.join(adapter, 'adapter_model.safetensors'), tensors);
    const pg = backend.services.playground;
    const base = await pg.generate({ paneId: 'base', generationId: 'g7', target: { model: MODEL }, messages: question, sampling: { maxNewTokens: 10 } });
    const tuned = await pg.generate({ paneId: 'tuned', generationId: 'g8', target: { model: MODEL, adapter }, messages: question, sampling: { maxNewTokens: 10 } });
    expect(tuned.tokens).not.toEqual(base.tokens);
  });

  it('a broken model folder is a clear error, on the call and as an event', async () => {
    const broken = path.join(home.dir, 'broken-model');
    fs.mkdirSync(broken);
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(MODEL, f), path.join(broken, f));
    fs.writeFileSync(path.join(broken, 'model.safetensors'), Buffer.from('not a safetensors file'));
    const pg = backend.services.playground;
    await expect(pg.generate({ paneId: 'x', generationId: 'g9', target: { model: broken }, messages: question })).rejects.toThrow(/broken-model|safetensors/);
    const err = events.find((e) => e.name === 'playground.error' && (e.payload as { generationId: string }).generationId === 'g9');
    expect((err?.payload as { code: string }).code).toBe('bad_input');
    await expect(pg.generate({ paneId: 'x', generationId: 'g10', target: { model: path.join(home.dir, 'nowhere') }, messages: question })).rejects.toThrow(/does not exist/);
  });
});
