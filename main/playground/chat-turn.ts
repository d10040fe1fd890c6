// One answer: opens the generator a pane asks for (native engine or ONNX), runs a rendered prompt through it,
// turns ids into streamed text and ends the answer at a stop word. Shared by the playground service and
// `lathe chat`; knows nothing of panes, IPC or terminals.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { PlaygroundEngine, SamplingOptions } from '../../preload/contract/playground.js';
import { requireEngineBinary } from '../engine/engine-binary.js';
import { detectGpus } from '../engine/gpu-info.js';
import { AnswerText } from './answer-text.js';
import { playgroundNotice, type ChatPrompt } from './chat-prompt.js';
import type { FinishReason, Generator, GeneratorSpec } from './generator.js';
import { NativeGenerator } from './native-generator.js';
import { OnnxGenerator } from './onnx-generator.js';
import { resolveOnnxModel, type OnnxExporter } from './onnx-model-source.js';
import type { MessageText } from '../../preload/contract/message-code.js';

export interface GeneratorEnv {
  readonly tmpDir: string;
  /** Workspace cache root: ONNX exports are kept under cache/onnx. */
  readonly cacheRoot: string;
  readonly exporter: OnnxExporter | null;
  readonly signal?: AbortSignal;
}

export async function openGenerator(spec: GeneratorSpec, env: GeneratorEnv): Promise<Generator> {
  if (spec.engine === 'native') return new NativeGenerator({ binary: requireEngineBinary(), model: spec.model, adapter: spec.adapter, tmpDir: env.tmpDir });
  const m = await resolveOnnxModel({ model: spec.model, adapter: spec.adapter, cacheRoot: env.cacheRoot, exporter: env.exporter, ...(env.signal ? { signal: env.signal } : {}) });
  const gpus = await detectGpus();
  const cuda = gpus.length > 0 && cudaProviderInstalled();
  const notes = gpus.length > 0 && !cuda ? [playgroundNotice('playground.onnxOnCpu', "onnxruntime's CUDA provider is not installed here, so ONNX runs on the CPU.")] : [];
  return new OnnxGenerator({ file: m.file, configJson: m.configJson, providers: cuda ? ['cuda', 'cpu'] : ['cpu'], notes });
}

/**
 * onnxruntime-node ships its CUDA provider as a separate library fetched at install time; without it, asking for
 * CUDA only logs an error before falling back. Look for it beside the native binding instead.
 */
export function cudaProviderInstalled(): boolean {
  try {
    const main = createRequire(import.meta.url).resolve('onnxruntime-node');
    const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    return fs.existsSync(path.join(path.dirname(path.dirname(main)), 'bin', 'napi-v6', process.platform, process.arch, lib));
  } catch {
    return false;
  }
}

export interface ChatTurnResult {
  readonly engine: PlaygroundEngine;
  readonly text: string;
  readonly tokens: number[];
  readonly promptTokens: number;
  readonly finishReason: FinishReason;
  readonly seconds: number;
  readonly tokensPerS: number;
  readonly warnings: MessageText[];
}

export interface TurnProgress {
  readonly ids: readonly number[];
  readonly text: string;
  readonly count: number;
  readonly tokensPerS: number;
}

export async function runChatTurn(gen: Generator, prompt: ChatPrompt, sampling: SamplingOptions, signal: AbortSignal, onProgress: (p: TurnProgress) => void): Promise<ChatTurnResult> {
  const answer = new AnswerText(prompt.session.tokenizer, new Set(prompt.stopTokenIds), prompt.stopStrings);
  // A stop word that is several tokens ends the answer from here; the caller's stop ends it too.
  await gen.load();
  const inner = new AbortController();
  const onOuter = () => inner.abort();
  signal.addEventListener('abort', onOuter, { once: true });
  if (signal.aborted) inner.abort();
  const t0 = performance.now();
  let count = 0;
  const rate = () => {
    const s = (performance.now() - t0) / 1000;
    return s > 0 ? count / s : 0;
  };
  try {
    const out = await gen.generate({ promptIds: prompt.ids, sampling, stopTokenIds: prompt.stopTokenIds }, (ids) => {
      if (answer.stopped) return;
      count += ids.length;
      const text = answer.push(ids);
      onProgress({ ids, text, count, tokensPerS: rate() });
      if (answer.stopped) inner.abort();
    }, inner.signal);
    const rest = answer.flush();
    if (rest) onProgress({ ids: [], text: rest, count, tokensPerS: rate() });
    const seconds = (performance.now() - t0) / 1000;
    const finishReason: FinishReason = answer.stopped ? 'stop' : signal.aborted ? 'cancelled' : out.finishReason;
    const tokens = answer.stopped ? out.tokens.slice(0, count) : out.tokens;
    return {
      engine: gen.engine,
      text: answer.text,
      tokens,
      promptTokens: prompt.ids.length,
      finishReason,
      seconds,
      tokensPerS: seconds > 0 ? tokens.length / seconds : 0,
      warnings: [...prompt.warnings, ...gen.unsupported(sampling)],
    };
  } finally {
    signal.removeEventListener('abort', onOuter);
  }
}
