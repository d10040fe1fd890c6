// Transport over web mode's single WebSocket: JSON {id, channel, payload} out, {id, result} and events in.
// Reconnects with backoff; calls made while disconnected wait for the connection (and fail after a timeout).
import type { CallResult } from '../../../preload/contract/index.js';
import type { Transport } from './transport.js';

interface Pending {
  resolve(result: CallResult<unknown>): void;
}

const CONNECT_TIMEOUT_MS = 15_000;

export function webTransport(baseUrl: string, token: string | null): Transport {
  const wsUrl = new URL('ws', baseUrl);
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token) wsUrl.searchParams.set('token', token);
  let socket: WebSocket | undefined;
  let opened: Promise<WebSocket> | undefined;
  let nextId = 1;
  let backoff = 250;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  function connect(): Promise<WebSocket> {
    if (opened) return opened;
    opened = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(wsUrl);
      const timer = setTimeout(() => reject(new Error('Could not reach Lathe.')), CONNECT_TIMEOUT_MS);
      ws.onopen = () => {
        clearTimeout(timer);
        backoff = 250;
        socket = ws;
        resolve(ws);
      };
      ws.onmessage = (e) => onMessage(String(e.data));
      ws.onclose = () => {
        clearTimeout(timer);
        socket = undefined;
        opened = undefined;
        for (const [id, p] of pending) {
          p.resolve({ ok: false, error: { name: 'LatheError', code: 'internal', message: 'The connection to Lathe was lost; please retry.' } });
          pending.delete(id);
        }
        reject(new Error('The connection to Lathe was closed.'));
        if (listeners.size > 0) setTimeout(() => void connect().catch(() => undefined), (backoff = Math.min(backoff * 2, 5000)));
      };
    });
    return opened;
  }

  function onMessage(text: string): void {
    let msg: { id?: number; result?: CallResult<unknown>; event?: string; payload?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (typeof msg.event === 'string') {
      for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
      return;
    }
    if (typeof msg.id === 'number' && msg.result) {
      pending.get(msg.id)?.resolve(msg.result);
      pending.delete(msg.id);
    }
  }

  return {
    kind: 'web',
    async invoke(domain, method, request) {
      let ws: WebSocket;
      try {
        ws = socket ?? (await connect());
      } catch (err) {
        return { ok: false, error: { name: 'LatheError', code: 'internal', message: (err as Error).message } };
      }
      const id = nextId++;
      return new Promise<CallResult<unknown>>((resolve) => {
        pending.set(id, { resolve });
        ws.send(JSON.stringify({ id, channel: `lathe:${domain}.${method}`, payload: request ?? {} }));
      });
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      void connect().catch(() => undefined);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(event);
      };
    },
  };
}
