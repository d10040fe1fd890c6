// Benchmark (not a test): the prompt preview's dataset-wide statistics over a stored dataset of N generated records
// (default 100,000), through the service as the app runs it (statistics and window workers bundled beside the
// child), a restarted service, and wizard jumps in an N-row CSV. Run: node scripts/bench/preview-stats.mjs [--rows N] [--workers N]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, workers: { type: 'string' } } });
const out = path.join(root, 'node_modules', '.cache', 'lathe-bench');
const bundle = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' };
await esbuild.build({ ...bundle, entryPoints: [path.join(root, 'scripts/bench/preview-stats-child.ts')], outfile: path.join(out, 'preview-stats-child.mjs') });
await esbuild.build({ ...bundle, entryPoints: [path.join(root, 'main/preview/measure-worker.ts')], outfile: path.join(out, 'measure-worker.mjs') });
await esbuild.build({ ...bundle, entryPoints: [path.join(root, 'main/datasets/source-window-worker.ts')], outfile: path.join(out, 'source-window-worker.mjs') });
const args = ['--expose-gc', path.join(out, 'preview-stats-child.mjs'), '--rows', values.rows, '--worker', path.join(out, 'measure-worker.mjs'), '--windowWorker', path.join(out, 'source-window-worker.mjs'), ...(values.workers ? ['--workers', values.workers] : [])];
const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
if (r.status !== 0) throw new Error(`bench child failed:\n${r.stderr}`);
const res = JSON.parse(r.stdout.trim().split('\n').pop());
const f = (n, d = 2) => n.toFixed(d);
const line = (name, x) => `  ${name.padEnd(34)} ${f(x.seconds)} s (${Math.round(res.rows / x.seconds).toLocaleString('en')} rows/s); main thread busy ${f(x.mainThreadBusySeconds)} s (CPU ${f(x.mainThreadCpuSeconds)} s); event-loop delay max ${f(x.eventLoopMaxDelayMs, 0)} ms, p99 ${f(x.eventLoopP99DelayMs, 0)} ms\n`;
process.stdout.write(`\nPrompt preview statistics, ${res.rows.toLocaleString('en')} stored records (${res.cores} cores, load ${f(res.load, 1)}, Node ${process.version})\n`);
process.stdout.write(line('whole dataset, cold', res.cold));
process.stdout.write(line('repeat (database unchanged)', res.warm));
process.stdout.write(line('another cutoff (512)', res.cutoff512));
process.stdout.write(line('after one row is edited', res.edited));
process.stdout.write(line(`after a restart (from ${res.reopened.from}${res.reopened.same ? ', same numbers' : ', NUMBERS DIFFER'})`, res.reopened));
const s = res.stats;
process.stdout.write(`  ${s.records.toLocaleString('en')} records, ${s.skipped} skipped, ${s.totalTokens.toLocaleString('en')} tokens (${s.trainableTokens.toLocaleString('en')} trained), ${(100 * s.truncatedShare).toFixed(2)}% truncated at 1024, longest ${s.maxFullLength} (row ${s.longest[0].index}); its preview ${f(res.longestRecord.ms, 0)} ms\n`);
process.stdout.write(`  datasets.preview on the ${f(res.sourcePreview.csvMiB, 1)} MiB CSV: first 20 rows ${f(res.sourcePreview.firstPageMs, 0)} ms\n`);
const jumpLine = (name, j) => `    ${name.padEnd(40)} ${f(j.seconds * 1000, 0)} ms (row ${j.row}); main thread busy ${f(j.mainThreadBusySeconds * 1000, 0)} ms (CPU ${f(j.mainThreadCpuSeconds * 1000, 0)} ms); event-loop delay max ${f(j.eventLoopMaxDelayMs, 0)} ms\n`;
const j = res.sourcePreview.jumps;
process.stdout.write(jumpLine('first jump, to the last row (indexes)', j.firstToLast) + jumpLine('then to the middle', j.middle) + jumpLine('then to the last row', j.last) + jumpLine('then 5,000 rows before the end', j.near));
