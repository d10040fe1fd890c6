#!/usr/bin/env node
// Builds better-sqlite3's native binding for Electron's ABI into native-modules/electron/, beside (not instead of)
// the Node build that the CLI and tests use. Needs internet access (Electron headers or prebuilt binaries): run it on
// a release machine with internet, never in CI or on a machine without it. electron-builder bundles the result.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const electronVersion = require('electron/package.json').version;
const sqliteDir = path.dirname(require.resolve('better-sqlite3/package.json'));
const arch = process.env.npm_config_arch || process.arch;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lathe-sqlite-electron-'));
fs.cpSync(sqliteDir, work, { recursive: true, filter: (p) => !p.includes(`${path.sep}build${path.sep}`) });

const shell = process.platform === 'win32';
const tryRun = (cmd, args) => spawnSync(cmd, args, { cwd: work, stdio: 'inherit', shell }).status === 0;
const ok =
  tryRun('npx', ['--yes', 'prebuild-install', '--runtime', 'electron', '--target', electronVersion, '--arch', arch]) ||
  tryRun('npx', ['--yes', 'node-gyp', 'rebuild', '--release', `--target=${electronVersion}`, `--arch=${arch}`, '--dist-url=https://electronjs.org/headers']);
if (!ok) {
  console.error('rebuild-electron: could not obtain an Electron build of better-sqlite3 (is the internet reachable?)');
  process.exit(1);
}
const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
const dest = path.join(root, 'native-modules', 'electron', 'better_sqlite3.node');
fs.mkdirSync(path.dirname(dest), { recursive: true });
fs.copyFileSync(built, dest);
console.log(`rebuild-electron: wrote ${path.relative(root, dest)} for Electron ${electronVersion} (${process.platform}-${arch})`);
