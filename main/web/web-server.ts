// `lathe serve`: the renderer over HTTP and the contract over ONE WebSocket, on 127.0.0.1 by default, every
// request gated by web-auth. It reuses main's handler table verbatim; it knows nothing of any domain.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_CHANNEL } from '../../preload/contract/define.js';
import { LatheError } from '../../preload/contract/errors.js';
import type { EventHub } from '../ipc/event-hub.js';
import type { HandlerTable } from '../ipc/handler-table.js';
import { contentSecurityPolicy } from '../security/content-security-policy.js';
import { checkRequest, isLoopbackHost, newToken, TOKEN_COOKIE, type AuthPolicy } from './web-auth.js';
import { resolveStatic, sendFile } from './static-files.js';
import { receiveUpload } from './upload.js';

export interface WebServerOptions {
  readonly handlers: HandlerTable;
  readonly events: EventHub;
  /** Built renderer folder (dist/renderer). */
  readonly rendererDir: string;
  /** Where uploads land (the workspace's tmp folder). */
  readonly tmpDir: string;
  readonly host?: string;
  readonly port?: number;
  /** Required to bind anything but a loopback address. */
  readonly allowRemote?: boolean;
  readonly token?: string;
}

export interface WebServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

/** The largest single WebSocket message: requests are small; uploads go over HTTP. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !opts.allowRemote) {
    throw new LatheError('forbidden', `Refusing to listen on ${host}: that address can be reached from other machines. Add --allow-remote if that is what you want.`);
  }
  const token = opts.token ?? newToken();
  const policy: { -readonly [K in keyof AuthPolicy]: AuthPolicy[K] } = { token, host, port: 0 };

  const server = http.createServer((req, res) => {
    void handleHttp(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`Internal error: ${(err as Error).message}`);
    });
  });

  async function handleHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const verdict = checkRequest(req, policy);
    if (!verdict.ok) {
      res.writeHead(verdict.status, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(verdict.reason);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const headers = securityHeaders(req.headers.host ?? '');
    if (url.pathname === '/api/upload') {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST' }).end();
        return;
      }
      const name = url.searchParams.get('name') ?? 'upload';
      const saved = await receiveUpload(req, opts.tmpDir, name);
      res.writeHead(200, { ...headers, 'Content-Type': 'application/json' });
      res.end(JSON.stringify(saved));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = resolveStatic(opts.rendererDir, url.pathname);
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not found');
      return;
    }
    // The cookie lets the page's own asset requests and WebSocket carry the token without putting it in every URL.
    sendFile(res, file, { ...headers, 'Set-Cookie': `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict` });
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const verdict = checkRequest(req, policy);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!verdict.ok || path !== '/ws') {
      const status = verdict.ok ? 404 : verdict.status;
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  function serveSocket(ws: WebSocket): void {
    const unsubscribe = opts.events.subscribe((name, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ channel: EVENT_CHANNEL, event: name, payload }));
    });
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
    ws.on('message', (data) => {
      let msg: { id?: unknown; channel?: unknown; payload?: unknown };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        ws.send(JSON.stringify({ id: null, result: { ok: false, error: new LatheError('invalid_request', 'Messages must be JSON.').toJSON() } }));
        return;
      }
      const id = typeof msg.id === 'number' || typeof msg.id === 'string' ? msg.id : null;
      void opts.handlers.invoke({ transport: 'web' }, msg.channel, msg.payload).then((result) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result }));
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  policy.port = port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    host,
    port,
    token,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function securityHeaders(host: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy([`ws://${host}`]),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}
