#!/usr/bin/env node
// Configures and builds the native engine with CMake (Release) into native/build. CUDA is used where the toolkit
// is found; otherwise the CPU backend alone. Pass --test to run ctest afterwards.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const src = path.join(root, 'native');
const out = path.join(src, 'build');
const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.error) {
    console.error(`build-native: cannot run ${cmd}: ${r.error.message}. Install CMake and a C++17 compiler (Debian: apt-get install cmake g++).`);
    process.exit(1);
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(path.join(src, 'CMakeLists.txt'))) {
  console.error('build-native: native/CMakeLists.txt is missing');
  process.exit(1);
}
run('cmake', ['-S', src, '-B', out, '-DCMAKE_BUILD_TYPE=Release']);
run('cmake', ['--build', out, '--config', 'Release', '-j', jobs]);
if (process.argv.includes('--test')) run('ctest', ['--test-dir', out, '--output-on-failure', '-C', 'Release', '-j', jobs]);
