// The worker thread that owns one onnxruntime session (onnx-generator.ts starts it), so a generation step never
// runs on Electron's main thread. Cancel is a shared flag, read between steps. Does not tokenize.
import { parentPort, workerData } from 'node:worker_threads';
import { LatheError } from '../../preload/contract/errors.js';
import { OnnxDecoder, type DecoderRequest } from './onnx-decoder.js';

export interface OnnxWorkerData {
  readonly file: string;
  readonly configJson: string;
  readonly providers: readonly string[];
}

export type ToWorker = { readonly type: 'generate'; readonly request: DecoderRequest; readonly cancel: SharedArrayBuffer } | { readonly type: 'dispose' };

export type FromWorker =
  | { readonly type: 'ready'; readonly provider: string }
  | { readonly type: 'token'; readonly id: number }
  | { readonly type: 'done'; readonly tokens: number[]; readonly finishReason: 'stop' | 'length' | 'cancelled' }
  | { readonly type: 'error'; readonly code: string; readonly message: string };

const port = parentPort!;
const data = workerData as OnnxWorkerData;
const post = (m: FromWorker) => port.postMessage(m);
const fail = (err: unknown) => {
  const e = LatheError.from(err);
  post({ type: 'error', code: e.code, message: e.message });
};

const loading = OnnxDecoder.load(data.file, data.configJson, data.providers);
loading.then((d) => post({ type: 'ready', provider: d.provider }), fail);

port.on('message', (m: ToWorker) => {
  if (m.type === 'dispose') {
    void loading.then((d) => d.dispose()).finally(() => process.exit(0));
    return;
  }
  const flag = new Int32Array(m.cancel);
  void loading
    .then((d) => d.generate(m.request, (id) => post({ type: 'token', id }), () => Atomics.load(flag, 0) !== 0))
    .then((r) => post({ type: 'done', tokens: r.tokens, finishReason: r.finishReason }), fail);
});
