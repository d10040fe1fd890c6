// `lathe`: the typed API the renderer calls, the same in Electron and in a browser. The transport is chosen once at
// start-up: the preload's window.lathe when present, else web mode's WebSocket. Failures throw LatheError.
import type { EventName, EventPayload, LatheServices } from '../../../preload/contract/index.js';
import { electronTransport } from './electron-transport.js';
import { LatheError } from './lathe-error.js';
import type { Transport } from './transport.js';
import { webTransport } from './web-transport.js';

export type LatheClient = LatheServices & {
  readonly transport: 'electron' | 'web';
  on<N extends EventName>(event: N, listener: (payload: EventPayload<N>) => void): () => void;
  /** The dropped File's path on disk in the desktop app; undefined in a browser (upload it instead). */
  pathForFile(file: File): string | undefined;
};

export function createClient(transport: Transport): LatheClient {
  const domains = new Map<string, unknown>();
  const domainProxy = (domain: string) =>
    new Proxy(
      {},
      {
        get: (_t, method) =>
          typeof method !== 'string'
            ? undefined
            : async (request?: unknown) => {
                const result = await transport.invoke(domain, method, request ?? {});
                if (result.ok) return result.value;
                throw LatheError.fromSerialized(result.error);
              },
      },
    );
  return new Proxy({} as LatheClient, {
    get(_t, key) {
      if (key === 'transport') return transport.kind;
      if (key === 'on') return (event: string, listener: (p: unknown) => void) => transport.on(event, listener);
      if (key === 'pathForFile') return (file: File) => transport.pathForFile?.(file);
      if (typeof key !== 'string' || key === 'then') return undefined;
      if (!domains.has(key)) domains.set(key, domainProxy(key));
      return domains.get(key);
    },
  });
}

function pickTransport(): Transport {
  const preload = (globalThis as { lathe?: unknown }).lathe;
  if (preload) return electronTransport(preload);
  const params = new URLSearchParams(globalThis.location?.search ?? '');
  const token = params.get('token');
  // The token also lives in an HttpOnly cookie; drop it from the address bar so it is not shared by copy-paste.
  if (token && globalThis.history) globalThis.history.replaceState(null, '', globalThis.location.pathname);
  return webTransport(globalThis.location.href, token);
}

export const lathe: LatheClient = createClient(pickTransport());

/**
 * A domain by name, typed by its contract interface. For domains whose contract file has landed but whose line in
 * preload/contract/index.ts has not yet; once it has, `lathe.<domain>` is the same object.
 */
export function domainOf<I>(name: string): I {
  return (lathe as unknown as Record<string, I>)[name]!;
}

/** Subscribes to `<domain>.<event>` with the payload type the domain's contract declares. */
export function onEvent<P>(event: string, listener: (payload: P) => void): () => void {
  return (lathe.on as unknown as (e: string, l: (p: P) => void) => () => void)(event, listener);
}
