// Web mode's gatekeeping: a random token on every HTTP request and WebSocket upgrade, an Origin check (only the
// server's own origin), and a Host check (defeats DNS rebinding). Pure functions over request headers.
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'lathe_token';

export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export interface AuthPolicy {
  readonly token: string;
  readonly port: number;
  /** The address the server listens on, as the user gave it. */
  readonly host: string;
}

/** Host header values that name this server: loopback names for a loopback bind, plus the bound host itself. */
function allowedHosts(policy: AuthPolicy): Set<string> {
  const names = new Set<string>([policy.host]);
  if (isLoopbackHost(policy.host) || policy.host === '0.0.0.0' || policy.host === '::') {
    for (const n of ['127.0.0.1', 'localhost', '[::1]']) names.add(n);
  }
  return new Set([...names].map((n) => `${n.includes(':') && !n.startsWith('[') ? `[${n}]` : n}:${policy.port}`.toLowerCase()));
}

export function tokenOf(req: IncomingMessage): string | undefined {
  const url = new URL(req.url ?? '/', 'http://x');
  const q = url.searchParams.get('token');
  if (q) return q;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const cookie = req.headers.cookie;
  if (cookie) {
    for (const part of cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === TOKEN_COOKIE) return decodeURIComponent(v.join('='));
    }
  }
  return undefined;
}

function sameToken(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export type AuthVerdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

export function checkRequest(req: IncomingMessage, policy: AuthPolicy): AuthVerdict {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!allowedHosts(policy).has(host) && !isBoundHostAny(policy)) return { ok: false, status: 403, reason: `Host ${host || '(none)'} is not this server.` };
  const origin = req.headers.origin;
  // Browsers send Origin on WebSocket upgrades and cross-site requests; anything but our own origin is refused.
  if (origin !== undefined && origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      return { ok: false, status: 403, reason: 'Malformed Origin.' };
    }
    if (originHost !== host) return { ok: false, status: 403, reason: `Origin ${origin} is not allowed.` };
  } else if (origin === 'null') {
    return { ok: false, status: 403, reason: 'Opaque origins are not allowed.' };
  }
  if (!sameToken(tokenOf(req), policy.token)) return { ok: false, status: 401, reason: 'Missing or wrong token: open the URL that `lathe serve` printed.' };
  return { ok: true };
}

/** With an explicit non-loopback bind (--allow-remote), the Host is whatever address the user reaches us by. */
function isBoundHostAny(policy: AuthPolicy): boolean {
  return !isLoopbackHost(policy.host);
}
