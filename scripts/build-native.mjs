#!/usr/bin/env node
// Configures and builds the native engine with CMake (Release) into native/build. The CUDA backend is built when
// this machine has an NVIDIA GPU (nvidia-smi lists one) and the toolkit, for that GPU's architecture only; without a
// GPU (CI) it is skipped, which keeps the build to the CPU reference. Override with LATHE_CUDA=ON|OFF and
// LATHE_CUDA_ARCHS (e.g. "80;86;89;90;120" for the release fat binary). Pass --test to run ctest afterwards.
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
function hasNvidiaGpu() {
  const r = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8' });
  return r.status === 0 && /GPU \d+:/.test(r.stdout ?? '');
}

const cuda = process.env.LATHE_CUDA ?? (hasNvidiaGpu() ? 'ON' : 'OFF');
const cudaArgs = [`-DLATHE_CUDA=${cuda}`];
if (cuda === 'ON') cudaArgs.push(`-DCMAKE_CUDA_ARCHITECTURES=${process.env.LATHE_CUDA_ARCHS ?? 'native'}`);
run('cmake', ['-S', src, '-B', out, '-DCMAKE_BUILD_TYPE=Release', ...cudaArgs]);
run('cmake', ['--build', out, '--config', 'Release', '-j', jobs]);
if (process.argv.includes('--test')) run('ctest', ['--test-dir', out, '--output-on-failure', '-C', 'Release', '-j', jobs]);
