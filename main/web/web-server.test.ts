import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBackend, type Backend } from '../services/backend.js';
import { tempHome } from '../../test/helpers/temp-home.js';
import { startWebServer, type WebServer } from './web-server.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(opts: { host?: string; allowRemote?: boolean } = {}): Promise<{ server: WebServer; backend: Backend; base: string }> {
  const home = tempHome();
  cleanups.push(home.cleanup);
  const rendererDir = path.join(home.dir, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  fs.writeFileSync(path.join(home.dir, 'secret.txt'), 'secret');
  const backend = startBackend(path.join(home.dir, 'ws'), 'web');
  cleanups.push(() => backend.close());
  const server = await startWebServer({ handlers: backend.handlers, events: backend.events, rendererDir, tmpDir: backend.workspace.paths.tmp, port: 0, ...opts });
  cleanups.push(() => server.close());
  return { server, backend, base: `http://127.0.0.1:${server.port}` };
}

function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, channel: string, payload: unknown): Promise<any> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data));
      if (msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg.result);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, channel, payload }));
  });
}

describe('web mode server', () => {
  it('prints a loopback URL carrying the token', async () => {
    const { server } = await serve();
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{32}$`));
  });

  it('serves the renderer only with the token, and sets it as an HttpOnly cookie', async () => {
    const { server, base } = await serve();
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);
    const ok = await fetch(`${base}/?token=${server.token}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(ok.headers.get('set-cookie')).toMatch(/lathe_token=.*HttpOnly; SameSite=Strict/);
    expect((await fetch(`${base}/index.html`, { headers: { cookie: `lathe_token=${server.token}` } })).status).toBe(200);
    expect((await fetch(`${base}/..%2fsecret.txt?token=${server.token}`)).status).toBe(404);
    expect((await fetch(`${base}/%2e%2e/secret.txt?token=${server.token}`)).status).toBe(404);
  });

  it('refuses other Origins and foreign Host headers', async () => {
    const { server, base } = await serve();
    expect((await fetch(`${base}/?token=${server.token}`, { headers: { origin: 'http://evil.example' } })).status).toBe(403);
    const wsUrl = `ws://127.0.0.1:${server.port}/ws?token=${server.token}`;
    await expect(connect(wsUrl, { origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(connect(wsUrl, { origin: 'null' })).rejects.toThrow('HTTP 403');
    await expect(connect(wsUrl, { host: `rebind.example:${server.port}` })).rejects.toThrow('HTTP 403');
    const same = await connect(wsUrl, { origin: `http://127.0.0.1:${server.port}` });
    same.close();
  });

  it('refuses WebSocket upgrades without the token', async () => {
    const { server } = await serve();
    await expect(connect(`ws://127.0.0.1:${server.port}/ws`)).rejects.toThrow('HTTP 401');
    await expect(connect(`ws://127.0.0.1:${server.port}/ws?token=nope`)).rejects.toThrow('HTTP 401');
  });

  it('round-trips contract calls and pushes events over one WebSocket', async () => {
    const { server } = await serve();
    const ws = await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
    const events: any[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.event) events.push(m);
    });
    const created = await call(ws, 1, 'lathe:projects.create', { name: 'Tickets' });
    expect(created).toMatchObject({ ok: true, value: { name: 'Tickets' } });
    const info = await call(ws, 2, 'lathe:app.info', {});
    expect(info).toMatchObject({ ok: true, value: { transport: 'web' } });
    expect(await call(ws, 3, 'lathe:projects.create', { name: '' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await call(ws, 4, 'lathe:nope.nope', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(events).toContainEqual({ channel: 'lathe:event', event: 'projects.changed', payload: { id: created.value.id, change: 'created' } });
    ws.send('not json');
    ws.close();
  });

  it('accepts uploads with the token and stores them inside the workspace tmp folder', async () => {
    const { server, base, backend } = await serve();
    const res = await fetch(`${base}/api/upload?name=${encodeURIComponent('../../工单.csv')}&token=${server.token}`, { method: 'POST', body: 'a,b\n1,2\n' });
    expect(res.status).toBe(200);
    const saved = (await res.json()) as { path: string; bytes: number };
    expect(saved.bytes).toBe(8);
    expect(path.relative(backend.workspace.paths.tmp, saved.path).startsWith('..')).toBe(false);
    expect(path.basename(saved.path)).toBe('工单.csv');
    expect(fs.readFileSync(saved.path, 'utf8')).toBe('a,b\n1,2\n');
    expect((await fetch(`${base}/api/upload?name=x`, { method: 'POST', body: 'x' })).status).toBe(401);
  });

  it('will not bind a non-loopback address without allowRemote', async () => {
    await expect(serve({ host: '0.0.0.0' })).rejects.toThrow(/--allow-remote/);
  });
});
