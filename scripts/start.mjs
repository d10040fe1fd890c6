#!/usr/bin/env node
// `npm start`: builds what is missing or stale, then opens the desktop app. Where Electron's binary cannot be had
// (CI, servers, this sandbox), it says so in one line and starts web mode instead, printing the URL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const passThrough = process.argv.slice(2);

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'build') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const stamp = path.join(root, 'dist', 'main', 'cli', 'main.js');
const sources = Math.max(...['main', 'preload', 'renderer', 'native/src'].map((d) => newestMtime(path.join(root, d))));
const engineMissing = !existsSync(path.join(root, 'native', 'build'));
if (!existsSync(stamp) || statSync(stamp).mtimeMs < sources || engineMissing) {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function electronBinary() {
  try {
    const require = createRequire(import.meta.url);
    const bin = require('electron');
    return typeof bin === 'string' && existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

const electron = electronBinary();
if (electron && !process.env.LATHE_WEB) {
  const child = spawn(electron, [root, ...passThrough], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log("Electron's binary is not available on this machine, so Lathe starts in web mode instead (open the URL below in a browser).");
  const child = spawn(process.execPath, [path.join(root, 'bin', 'lathe.mjs'), 'serve', ...passThrough], { stdio: 'inherit' });
  const stop = () => child.kill('SIGINT');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code) => process.exit(code ?? 0));
}
