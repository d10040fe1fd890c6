// The native engine as a playground generator: one `lathe-engine` process in interactive generate mode per pane
// (model + optional adapter applied on the fly), fed `generate` commands (native/docs/protocol.md). Stopping an
// answer sends `cancel`, which keeps the model loaded for the next question; an engine that does not answer the
// cancel in time is ended. Reuses main/engine's process wrapper; does not tokenize.
import fs from 'node:fs';
import path from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';
import type { SamplingOptions } from '../../preload/contract/playground.js';
import { engineFailure, type EngineEnd } from '../engine/engine-exit.js';
import { EngineProcess, type EngineEvent } from '../engine/engine-process.js';
import type { FinishReason, GenerationInput, GenerationOutput, Generator } from './generator.js';
import type { Notice } from '../../preload/contract/message-code.js';

export interface NativeGeneratorOptions {
  readonly binary: string;
  readonly model: string;
  readonly adapter?: string | undefined;
  /** Where the engine's config file is written. */
  readonly tmpDir: string;
  readonly device?: string;
}

/** Kill the engine if it has not exited this long after `stop`. */
const STOP_GRACE_MS = 3000;

function failureError(end: EngineEnd, what: string): LatheError {
  const f = engineFailure(end);
  const message = f ? `${what}: ${f.message}${f.hint ? ` ${f.hint}` : ''}` : `${what}: the engine exited before answering.`;
  // The engine's io / unsupported / data errors are about the model or adapter the person chose.
  const code = f && ['io', 'unsupported_model', 'data_invalid', 'config_invalid'].includes(f.code) ? 'bad_input' : 'engine_error';
  return new LatheError(code, message, f ? { engineCode: f.code } : undefined);
}

export class NativeGenerator implements Generator {
  readonly engine = 'native' as const;
  private proc: EngineProcess | null = null;
  private ready: Promise<void> | null = null;
  private listener: ((e: EngineEvent) => void) | null = null;
  private nextId = 1;
  private configSeq = 0;

  constructor(private readonly o: NativeGeneratorOptions) {}

  unsupported(_s: SamplingOptions): Notice[] {
    return [];
  }

  load(): Promise<void> {
    return this.start();
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    fs.mkdirSync(this.o.tmpDir, { recursive: true });
    const configPath = path.join(this.o.tmpDir, `playground-engine-${process.pid}-${Date.now()}-${this.configSeq++}.json`);
    const config = {
      mode: 'generate',
      model_dir: path.resolve(this.o.model),
      ...(this.o.adapter ? { adapter_dir: path.resolve(this.o.adapter) } : {}),
      device: this.o.device ?? 'auto',
    };
    fs.writeFileSync(configPath, JSON.stringify(config, null, 2));
    const proc = EngineProcess.start({ binary: this.o.binary, configPath, onEvent: (e) => this.listener?.(e) });
    this.proc = proc;
    const what = `Cannot load ${this.o.adapter ? `${this.o.model} with adapter ${this.o.adapter}` : this.o.model}`;
    this.ready = new Promise<void>((resolve, reject) => {
      this.listener = (e) => {
        if (e.event === 'ready') resolve();
      };
      void proc.exited.then((end) => {
        fs.rm(configPath, { force: true }, () => undefined);
        if (this.proc === proc) {
          this.proc = null;
          this.ready = null;
        }
        reject(failureError(end, what));
      });
    });
    this.ready.catch(() => undefined);
    return this.ready;
  }

  async generate(input: GenerationInput, onTokens: (ids: readonly number[]) => void, signal: AbortSignal): Promise<GenerationOutput> {
    if (signal.aborted) return { tokens: [], finishReason: 'cancelled' };
    await this.start();
    const proc = this.proc;
    if (!proc) throw new LatheError('engine_error', 'The engine exited before answering.');
    const id = `g${this.nextId++}`;
    const s = input.sampling;
    const tokens: number[] = [];
    return new Promise<GenerationOutput>((resolve, reject) => {
      let settled = false;
      const finish = (out: GenerationOutput | LatheError) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (out instanceof LatheError) reject(out);
        else resolve(out);
      };
      const onAbort = () => {
        // `cancel` ends this answer and keeps the model loaded; the engine answers with finish_reason "cancelled".
        proc.send('cancel');
        const timer = setTimeout(() => {
          if (settled) return;
          // No answer to the cancel: end this process; the next question starts a fresh one.
          if (this.proc === proc) {
            this.proc = null;
            this.ready = null;
          }
          proc.send('stop');
          setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
        }, STOP_GRACE_MS);
        void proc.exited.then(() => clearTimeout(timer));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.listener = (e) => {
        if (e.id !== id) {
          if (e.event === 'error' && e.id === undefined) finish(new LatheError('engine_error', `The engine refused the request: ${String(e.message)}`));
          return;
        }
        if (e.event === 'token' && typeof e.token === 'number') {
          tokens.push(e.token);
          onTokens([e.token]);
        } else if (e.event === 'generation') {
          const reason = (typeof e.finish_reason === 'string' ? e.finish_reason : 'length') as FinishReason;
          finish({ tokens, finishReason: signal.aborted ? 'cancelled' : reason });
        }
      };
      void proc.exited.then((end) => {
        if (signal.aborted || (end.exitCode === 0 && !end.signal)) finish({ tokens, finishReason: 'cancelled' });
        else finish(failureError(end, 'The engine stopped while answering'));
      });
      const sent = proc.send({
        cmd: 'generate',
        id,
        prompt_tokens: [...input.promptIds],
        max_new_tokens: s.maxNewTokens,
        do_sample: s.doSample && s.temperature > 0,
        temperature: s.temperature > 0 ? s.temperature : 1,
        top_k: s.topK,
        top_p: s.topP,
        repetition_penalty: s.repetitionPenalty,
        seed: s.seed,
        stop_tokens: [...input.stopTokenIds],
      });
      if (!sent) finish(new LatheError('engine_error', 'The engine no longer accepts requests.'));
    });
  }

  async dispose(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    this.ready = null;
    if (!p) return;
    p.send('stop');
    p.endInput();
    const timer = setTimeout(() => p.kill('SIGKILL'), STOP_GRACE_MS);
    await p.exited;
    clearTimeout(timer);
  }
}
