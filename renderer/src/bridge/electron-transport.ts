// Transport over the preload's `window.lathe` (Electron). The preload already exposes one function per call.
import type { CallResult } from '../../../preload/contract/index.js';
import type { Transport } from './transport.js';

type PreloadApi = Record<string, Record<string, (request: unknown) => Promise<CallResult<unknown>>>> & {
  on(event: string, listener: (payload: unknown) => void): () => void;
  pathForFile?(file: unknown): string;
};

export function electronTransport(api: unknown): Transport {
  const lathe = api as PreloadApi;
  return {
    kind: 'electron',
    invoke(domain, method, request) {
      const fn = lathe[domain]?.[method];
      if (typeof fn !== 'function') return Promise.resolve({ ok: false, error: { name: 'LatheError', code: 'unknown_method', message: `No such call: ${domain}.${method}` } });
      return fn(request);
    },
    on: (event, listener) => lathe.on(event, listener),
    pathForFile: (file) => {
      const p = lathe.pathForFile?.(file);
      return p ? p : undefined;
    },
  };
}
