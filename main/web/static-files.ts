// Serves the built renderer (dist/renderer) read-only: paths resolved inside the folder, index.html for the SPA
// root, content types for what Vite emits. No directory listings, no files outside the folder.
import fs from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Resolves a URL path to a file under root, or undefined when it is missing or would leave root. */
export function resolveStatic(root: string, urlPath: string): string | undefined {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return undefined;
  }
  if (rel.includes('\0')) return undefined;
  if (rel === '/' || rel === '') rel = '/index.html';
  const full = path.resolve(root, `.${path.posix.normalize(rel)}`);
  const back = path.relative(path.resolve(root), full);
  if (back.startsWith('..') || path.isAbsolute(back)) return undefined;
  try {
    if (!fs.statSync(full).isFile()) return undefined;
  } catch {
    return undefined;
  }
  return full;
}

export function sendFile(res: ServerResponse, file: string, headers: Record<string, string>): void {
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, { ...headers, 'Content-Type': type, 'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'private, max-age=3600' });
  fs.createReadStream(file).pipe(res);
}
