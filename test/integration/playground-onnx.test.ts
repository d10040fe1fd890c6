// ONNX vs native engine on the tiny model: the workspace ONNX export (main/onnx's writer, made on first use and
// cached) run by onnxruntime-node gives the same greedy token ids as lathe-engine, for the base model and with a
// LoRA adapter (merged into the export, applied on the fly by the engine); stop tokens, repetition penalty and
// cancel on the ONNX path; a broken ONNX file is a clear error.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SamplingOptions } from '../../preload/contract/playground.js';
import { findEngineBinary } from '../../main/engine/engine-binary.js';
import { defaultModelPath } from '../../main/models/default-model.js';
import { buildChatPrompt } from '../../main/playground/chat-prompt.js';
import { runChatTurn } from '../../main/playground/chat-turn.js';
import type { Generator } from '../../main/playground/generator.js';
import { NativeGenerator } from '../../main/playground/native-generator.js';
import { playgroundOnnxExporter } from '../../main/playground/onnx-exporter.js';
import { OnnxGenerator } from '../../main/playground/onnx-generator.js';
import { resolveOnnxModel, type OnnxModel } from '../../main/playground/onnx-model-source.js';
import { startBackend } from '../../main/services/backend.js';
import { makeTinyAdapter } from '../fixtures/export/tiny-adapter.js';
import { tempHome } from '../helpers/temp-home.js';

const MODEL = defaultModelPath();
const engine = findEngineBinary();
const questions = ['How do I reset my password?', 'My parcel never arrived, what now?', 'Can I change the delivery address after ordering?'];
const greedy = (maxNewTokens: number) => SamplingOptions.parse({ maxNewTokens });
const never = () => new AbortController().signal;

describe('playground: ONNX path', () => {
  let home: ReturnType<typeof tempHome>;
  let adapter: string;
  let base: OnnxModel;
  let tuned: OnnxModel;
  const onnx = (m: OnnxModel) => new OnnxGenerator({ file: m.file, configJson: m.configJson, providers: ['cpu'], useWorker: false });

  beforeAll(async () => {
    home = tempHome('lathe-playground-onnx-');
    adapter = path.join(home.dir, 'adapter');
    makeTinyAdapter(adapter);
    base = await resolveOnnxModel({ model: MODEL, cacheRoot: home.dir, exporter: playgroundOnnxExporter });
    tuned = await resolveOnnxModel({ model: MODEL, adapter, cacheRoot: home.dir, exporter: playgroundOnnxExporter });
  }, 120_000);
  afterAll(() => home.cleanup());

  async function sameGreedy(a: Generator, b: Generator, sampling = greedy(48)): Promise<void> {
    try {
      for (const q of questions) {
        const prompt = await buildChatPrompt({ model: MODEL, messages: [{ role: 'user', content: q }] });
        const x = await runChatTurn(a, prompt, sampling, never(), () => undefined);
        const y = await runChatTurn(b, prompt, sampling, never(), () => undefined);
        expect(x.engine).toBe('onnx');
        expect(y.engine).toBe('native');
        expect(x.tokens.length).toBeGreaterThan(8);
        expect(x.tokens).toEqual(y.tokens);
        expect(x.text).toBe(y.text);
      }
    } finally {
      await a.dispose();
      await b.dispose();
    }
  }

  it.skipIf(!engine)('greedy tokens from onnxruntime-node equal the native engine’s (base model)', async () => {
    await sameGreedy(onnx(base), new NativeGenerator({ binary: engine!, model: MODEL, tmpDir: home.dir, device: 'cpu' }));
  });

  it.skipIf(!engine)('… and with a repetition penalty (both apply transformers’ processor)', async () => {
    await sameGreedy(onnx(base), new NativeGenerator({ binary: engine!, model: MODEL, tmpDir: home.dir, device: 'cpu' }), SamplingOptions.parse({ maxNewTokens: 48, repetitionPenalty: 1.8 }));
  });

  it.skipIf(!engine)('… and with a LoRA adapter: merged into the export vs applied on the fly', async () => {
    await sameGreedy(onnx(tuned), new NativeGenerator({ binary: engine!, model: MODEL, adapter, tmpDir: home.dir, device: 'cpu' }));
    // The adapter matters: the fine-tuned answer is not the base one.
    const prompt = await buildChatPrompt({ model: MODEL, messages: [{ role: 'user', content: questions[0]! }] });
    const [b, t] = [onnx(base), onnx(tuned)];
    try {
      expect((await runChatTurn(t, prompt, greedy(16), never(), () => undefined)).tokens).not.toEqual((await runChatTurn(b, prompt, greedy(16), never(), () => undefined)).tokens);
    } finally {
      await b.dispose();
      await t.dispose();
    }
  });

  it('the export is made once per model + adapter and cached in the workspace', async () => {
    expect(base.exported).toBe(true);
    expect(base.file.startsWith(path.join(home.dir, 'onnx'))).toBe(true);
    expect(tuned.file).not.toBe(base.file);
    const again = await resolveOnnxModel({ model: MODEL, cacheRoot: home.dir, exporter: null });
    expect(again).toMatchObject({ file: base.file, exported: false });
    // An exported folder is used as it is.
    expect(await resolveOnnxModel({ model: path.dirname(base.file), cacheRoot: home.dir, exporter: null })).toMatchObject({ file: base.file, exported: false });
    await expect(resolveOnnxModel({ model: path.join(home.dir, 'nowhere'), cacheRoot: home.dir, exporter: null })).rejects.toThrow(/does not exist/);
  });

  it('a stop token ends the answer and is kept in the ids, not the text', async () => {
    const g = onnx(base);
    try {
      const prompt = await buildChatPrompt({ model: MODEL, messages: [{ role: 'user', content: questions[0]! }] });
      const free = await runChatTurn(g, prompt, greedy(16), never(), () => undefined);
      const k = free.tokens.findIndex((t, i) => i > 0 && !free.tokens.slice(0, i).includes(t));
      const stopped = await runChatTurn(g, { ...prompt, stopTokenIds: [free.tokens[k]!] }, greedy(16), never(), () => undefined);
      expect(stopped.finishReason).toBe('stop');
      expect(stopped.tokens).toEqual(free.tokens.slice(0, k + 1));
      expect(stopped.text).toBe(prompt.session.tokenizer.decode(free.tokens.slice(0, k), { skipSpecialTokens: true }));
    } finally {
      await g.dispose();
    }
  });

  it('repetition penalty changes the greedy answer, and stop cancels', async () => {
    const g = onnx(base);
    try {
      const prompt = await buildChatPrompt({ model: MODEL, messages: [{ role: 'user', content: questions[1]! }] });
      const plain = await runChatTurn(g, prompt, greedy(32), never(), () => undefined);
      const penalised = await runChatTurn(g, prompt, SamplingOptions.parse({ maxNewTokens: 32, repetitionPenalty: 1.8 }), never(), () => undefined);
      expect(penalised.tokens).not.toEqual(plain.tokens);
      expect(new Set(penalised.tokens).size).toBeGreaterThanOrEqual(new Set(plain.tokens).size);
      const ac = new AbortController();
      const r = await runChatTurn(g, prompt, greedy(5000), ac.signal, (p) => p.count >= 5 && ac.abort());
      expect(r.finishReason).toBe('cancelled');
      expect(r.tokens.length).toBeLessThan(10);
    } finally {
      await g.dispose();
    }
  });

  it('the service answers on the ONNX engine in a pane, and names a broken ONNX file', async () => {
    const backend = startBackend(home.dir, 'web');
    try {
      const r = await backend.services.playground.generate({ paneId: 'o', generationId: 'x1', engine: 'onnx', target: { model: MODEL }, messages: [{ role: 'user', content: questions[2]! }], sampling: { maxNewTokens: 12 } });
      expect(r.engine).toBe('onnx');
      expect(r.tokens.length).toBeGreaterThan(0);
      const broken = path.join(home.dir, 'broken-onnx');
      fs.mkdirSync(broken);
      for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(MODEL, f), path.join(broken, f));
      fs.writeFileSync(path.join(broken, 'model.onnx'), 'garbage');
      await expect(backend.services.playground.generate({ paneId: 'b', generationId: 'x2', engine: 'onnx', target: { model: broken }, messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow(/onnxruntime cannot load .*broken-onnx/);
    } finally {
      backend.close();
    }
  });
});
