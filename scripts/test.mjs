#!/usr/bin/env node
// `npm test`: every test Lathe has, in one go: type checks, unit + integration tests (vitest), the native engine's
// CPU tests (ctest), and browser end-to-end tests against web mode (vitest + playwright-core + Debian chromium).
// Each stage runs even when an earlier one failed; the last line is the total, as "N passed, N failed".
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const only = process.argv.slice(2);
const want = (stage) => only.length === 0 || only.includes(stage);
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'lathe-test-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
const failedStages = [];

function run(stage, cmd, args, env = {}) {
  console.log(`\n=== ${stage} ===`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = r.status === 0;
  console.log(`=== ${stage}: ${ok ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s ===`);
  if (!ok) failedStages.push(stage);
  return ok;
}

function countVitest(file, stage) {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  } catch {
    // No report means the runner itself failed: count the stage as one failure so the total cannot read green.
    totals.failed += 1;
    if (!failedStages.includes(stage)) failedStages.push(stage);
  }
}

function vitest(stage, project) {
  const out = path.join(reports, `${project}.json`);
  run(stage, npx, ['vitest', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
  countVitest(out, stage);
}

if (want('typecheck')) {
  const a = run('typecheck (main + preload)', npx, ['tsc', '-p', 'tsconfig.node.json', '--noEmit']);
  const b = run('typecheck (renderer)', npx, ['tsc', '-p', 'tsconfig.web.json', '--noEmit']);
  totals[a && b ? 'passed' : 'failed'] += 1;
}
let built = false;
if (want('e2e') || want('native')) built = run('build', process.execPath, [path.join(root, 'scripts', 'build.mjs')]);
if (want('unit')) vitest('unit + integration tests', 'unit');
if (want('native')) {
  if (!built) totals.failed += 1;
  else {
    const log = path.join(reports, 'ctest.log');
    const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
    console.log('\n=== native engine tests (ctest) ===');
    const r = spawnSync('ctest', ['--test-dir', path.join(root, 'native', 'build'), '--output-on-failure', '-C', 'Release', '-j', jobs], { cwd: root, encoding: 'utf8' });
    process.stdout.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
    fs.writeFileSync(log, r.stdout ?? '');
    const m = /(\d+)% tests passed, (\d+) tests failed out of (\d+)/.exec(r.stdout ?? '');
    if (m) {
      totals.failed += Number(m[2]);
      totals.passed += Number(m[3]) - Number(m[2]);
    } else totals.failed += 1;
    if (r.status !== 0) failedStages.push('native engine tests');
  }
}
if (want('e2e')) {
  if (!built) totals.failed += 1;
  else vitest('browser end-to-end tests', 'e2e');
}

fs.rmSync(reports, { recursive: true, force: true });
console.log(`\n${failedStages.length ? `Failed stages: ${failedStages.join(', ')}` : 'All stages passed.'}`);
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(failedStages.length || totals.failed ? 1 : 0);
