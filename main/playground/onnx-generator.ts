// The ONNX path as a playground generator: one worker thread per pane owns the onnxruntime session (CPU execution
// provider, CUDA first where an NVIDIA GPU is present). Runs inline only when the compiled worker is absent (tests
// from TypeScript sources). Does not find or export the model (onnx-model-source.ts) nor tokenize.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LatheError, type ErrorCode } from '../../preload/contract/errors.js';
import type { SamplingOptions } from '../../preload/contract/playground.js';
import type { GenerationInput, GenerationOutput, Generator } from './generator.js';
import { OnnxDecoder } from './onnx-decoder.js';
import type { FromWorker, OnnxWorkerData, ToWorker } from './onnx-worker.js';
import type { Notice } from '../../preload/contract/message-code.js';

const WORKER_FILE = fileURLToPath(new URL('./onnx-worker.js', import.meta.url));

export interface OnnxGeneratorOptions {
  readonly file: string;
  readonly configJson: string;
  readonly providers: readonly string[];
  /** Default: the compiled worker when present. */
  readonly useWorker?: boolean;
  /** Shown beside every answer (e.g. why it runs on the CPU). */
  readonly notes?: readonly Notice[];
}

interface Backend {
  load(): Promise<void>;
  generate(input: GenerationInput, onToken: (id: number) => void, signal: AbortSignal): Promise<GenerationOutput>;
  dispose(): Promise<void>;
}

function inline(o: OnnxGeneratorOptions): Backend {
  const loading = OnnxDecoder.load(o.file, o.configJson, o.providers);
  loading.catch(() => undefined);
  return {
    async load() {
      await loading;
    },
    async generate(input, onToken, signal) {
      const d = await loading;
      return d.generate(input, onToken, () => signal.aborted);
    },
    async dispose() {
      await (await loading.catch(() => null))?.dispose();
    },
  };
}

function inWorker(o: OnnxGeneratorOptions): Backend {
  const data: OnnxWorkerData = { file: o.file, configJson: o.configJson, providers: o.providers };
  const worker = new Worker(WORKER_FILE, { workerData: data });
  let current: ((m: FromWorker) => void) | null = null;
  let dead: LatheError | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    current = (m) => {
      if (m.type === 'ready') resolve();
      else if (m.type === 'error') reject(new LatheError(m.code as ErrorCode, m.message));
    };
    worker.on('error', (e) => {
      dead = new LatheError('internal', `The ONNX worker failed: ${e.message}`);
      reject(dead);
      current?.({ type: 'error', code: 'internal', message: dead.message });
    });
    worker.on('exit', () => {
      dead ??= new LatheError('internal', 'The ONNX worker exited.');
      reject(dead);
      current?.({ type: 'error', code: dead.code, message: dead.message });
    });
  });
  ready.catch(() => undefined);
  worker.on('message', (m: FromWorker) => current?.(m));
  const send = (m: ToWorker) => worker.postMessage(m);
  return {
    load: () => ready,
    async generate(input, onToken, signal) {
      await ready;
      if (dead) throw dead;
      const cancel = new SharedArrayBuffer(4);
      const flag = new Int32Array(cancel);
      const onAbort = () => Atomics.store(flag, 0, 1);
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
      try {
        return await new Promise<GenerationOutput>((resolve, reject) => {
          current = (m) => {
            if (m.type === 'token') onToken(m.id);
            else if (m.type === 'done') resolve({ tokens: m.tokens, finishReason: m.finishReason });
            else if (m.type === 'error') reject(new LatheError(m.code as ErrorCode, m.message));
          };
          send({ type: 'generate', request: { promptIds: [...input.promptIds], sampling: input.sampling, stopTokenIds: [...input.stopTokenIds] }, cancel });
        });
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    async dispose() {
      current = null;
      send({ type: 'dispose' });
      const t = setTimeout(() => void worker.terminate(), 2000);
      await new Promise<void>((r) => worker.once('exit', () => r()));
      clearTimeout(t);
    },
  };
}

export class OnnxGenerator implements Generator {
  readonly engine = 'onnx' as const;
  private readonly backend: Backend;
  private readonly notes: readonly Notice[];

  constructor(o: OnnxGeneratorOptions) {
    this.notes = o.notes ?? [];
    const useWorker = o.useWorker ?? fs.existsSync(WORKER_FILE);
    this.backend = useWorker ? inWorker(o) : inline(o);
  }

  unsupported(_s: SamplingOptions): Notice[] {
    return [...this.notes];
  }

  load(): Promise<void> {
    return this.backend.load();
  }

  generate(input: GenerationInput, onTokens: (ids: readonly number[]) => void, signal: AbortSignal): Promise<GenerationOutput> {
    return this.backend.generate(input, (id) => onTokens([id]), signal);
  }

  dispose(): Promise<void> {
    return this.backend.dispose();
  }
}
