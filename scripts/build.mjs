#!/usr/bin/env node
// Builds everything `npm start` and the tests need: main+preload (tsc), the sandboxed preload bundle (esbuild, CJS),
// the renderer (vite), and the native engine (cmake) unless --skip-native. Fails loudly on the first error.
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = new Set(process.argv.slice(2));

function run(cmd, cmdArgs, label) {
  const t0 = Date.now();
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error(`build: ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
  console.error(`build: ${label} ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
run(npx, ['tsc', '-p', 'tsconfig.node.json'], 'main + preload (tsc)');
// The sandboxed preload cannot require() our modules: bundle it with the contract into one CommonJS file.
await build({
  entryPoints: [path.join(root, 'preload', 'index.ts')],
  outfile: path.join(root, 'dist', 'preload', 'index.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['electron'],
  sourcemap: true,
  logLevel: 'warning',
});
console.error('build: preload bundle ok');
if (!args.has('--skip-renderer')) run(npx, ['vite', 'build', '--logLevel', 'warn'], 'renderer (vite)');
if (!args.has('--skip-native')) run(process.execPath, [path.join(root, 'scripts', 'build-native.mjs')], 'native engine (cmake)');
