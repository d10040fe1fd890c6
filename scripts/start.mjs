#!/usr/bin/env node
// `npm start`: builds what is missing or stale, then opens the desktop app. Where Electron's binary cannot be had
// (CI, servers, this sandbox), it says so in one line and starts web mode instead, printing the URL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

/** Electron's executable, downloading it on first use (Electron 45 fetches its binary lazily, not at install). */
function electronBinary() {
  let dir;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const located = () => {
    const pathFile = path.join(dir, 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const bin = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : undefined;
  };
  const found = located();
  if (found) return { bin: found };
  console.log('Fetching the Electron binary (first start only)…');
  const r = spawnSync(process.execPath, [path.join(dir, 'install.js')], { encoding: 'utf8', timeout: 180_000 });
  const bin = r.status === 0 ? located() : undefined;
  if (bin) return { bin };
  const why = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.split('\n').map((l) => l.trim()).find((l) => /error|failed|ENOTFOUND|ECONN|fetch/i.test(l));
  return { reason: r.error?.code === 'ETIMEDOUT' ? 'its download timed out' : `its download failed${why ? `: ${why.slice(0, 120)}` : ''}` };
}

const electron = process.env.LATHE_WEB ? { reason: 'LATHE_WEB is set' } : electronBinary();
if (electron.bin) {
  const child = spawn(electron.bin, [root, ...passThrough], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(`Electron's binary is not available (${electron.reason}), so Lathe starts in web mode instead: open the URL below in a browser.`);
  const child = spawn(process.execPath, [path.join(root, 'bin', 'lathe.mjs'), 'serve', ...passThrough], { stdio: 'inherit' });
  const stop = () => child.kill('SIGINT');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code) => process.exit(code ?? 0));
}
