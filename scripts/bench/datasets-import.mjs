// Benchmark (not a test): rows/s and peak memory importing a generated 1M-row CSV (Chinese text, multi-line quoted
// fields) and a 200k-row xlsx into a workspace, beside pandas' read_csv / read_excel parsing the same files.
// Needs: apt-get install python3-pandas python3-openpyxl. Run: node scripts/bench/datasets-import.mjs
//   [--csv-rows N] [--xlsx-rows N] [--dir DIR] [--keep] [--no-thread (SQLite writes on the importing thread)]
// Each side runs in its own fresh process; Lathe's import runs in the app's import worker, and its time (until the
// result) includes hashing, mapping, validation and every SQLite write; the worker's end after it is timed apart.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import ExcelJS from 'exceljs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { 'csv-rows': { type: 'string', default: '1000000' }, 'xlsx-rows': { type: 'string', default: '200000' }, dir: { type: 'string' }, keep: { type: 'boolean', default: false }, 'no-thread': { type: 'boolean', default: false } } });
const csvRows = Number(values['csv-rows']);
const xlsxRows = Number(values['xlsx-rows']);
const dir = values.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lathe-bench-'));
fs.mkdirSync(dir, { recursive: true });

const Q = ['我的订单还没有发货，请问什么时候能到？', '如何修改收货地址？', '发票怎么开？', '设备连不上 Wi-Fi，怎么办？', '可以退款吗？'];
const A = ['您好，订单已经发出，预计三天内送达。\n物流单号已发送到您的手机，请注意查收。', '请在“个人中心 → 地址管理”中修改，\n已发货的订单请联系快递改派。', '在“我的订单 → 申请发票”中填写抬头和税号，\n电子发票 24 小时内发到邮箱。'];

async function makeCsv(file, n) {
  const out = fs.createWriteStream(file);
  out.write('工单号,问题,回复,产品\n');
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf += `T-${i},"${Q[i % Q.length]}（${i}）","${A[i % A.length].replace(/"/g, '""')} 编号 ""${i}""",产品${i % 7}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise((r) => out.end(r));
}

async function makeXlsx(file, n) {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
  const ws = wb.addWorksheet('Tickets');
  ws.addRow(['工单号', '问题', '回复', '产品', '日期']).commit();
  for (let i = 0; i < n; i++) ws.addRow([`T-${i}`, `${Q[i % Q.length]}（${i}）`, `${A[i % A.length]} 编号 ${i}`, `产品${i % 7}`, new Date(Date.UTC(2024, 0, 1 + (i % 365)))]).commit();
  ws.commit();
  await wb.commit();
}

function child(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const csv = path.join(dir, `tickets-${csvRows}.csv`);
const xlsx = path.join(dir, `tickets-${xlsxRows}.xlsx`);
if (!fs.existsSync(csv)) await makeCsv(csv, csvRows);
if (!fs.existsSync(xlsx)) await makeXlsx(xlsx, xlsxRows);

// Bundle the TypeScript child with esbuild (packages stay external, resolved from the repo's node_modules).
const childJs = path.join(root, 'node_modules', '.cache', 'lathe-bench', 'datasets-bench-child.mjs');
const bundle = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' };
await esbuild.build({ ...bundle, entryPoints: [path.join(root, 'scripts/bench/datasets-bench-child.ts')], outfile: childJs });
// The import worker the child starts, where the bundled runner looks for it (beside itself), as in the app.
await esbuild.build({ ...bundle, entryPoints: [path.join(root, 'main/datasets/import-worker.ts')], outfile: path.join(path.dirname(childJs), 'import-worker.js') });
// The import's writer thread, where the bundled pipeline looks for it (beside itself), unless --no-thread.
const threadJs = path.join(path.dirname(childJs), 'row-write-thread.js');
fs.rmSync(threadJs, { force: true });
if (!values['no-thread']) await esbuild.build({ ...bundle, entryPoints: [path.join(root, 'main/datasets/row-write-thread.ts')], outfile: threadJs });

const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
let pandasVersion = 'missing';
try {
  pandasVersion = execFileSync(python, ['-c', 'import pandas, openpyxl; print(pandas.__version__, openpyxl.__version__)'], { encoding: 'utf8' }).trim();
} catch {
  process.stderr.write('pandas/openpyxl not found: apt-get install python3-pandas python3-openpyxl\n');
}

const rows = [];
for (const [label, file, header] of [['CSV', csv, 0], ['xlsx', xlsx, 0]]) {
  const lathe = child(process.execPath, [childJs, file]);
  const pandas = pandasVersion === 'missing' ? null : child(python, [path.join(root, 'scripts/bench/datasets_pandas.py'), file, String(header)]);
  rows.push({ label, file, size: fs.statSync(file).size, lathe, pandas });
}

const fmt = (n) => Math.round(n).toLocaleString('en');
const load = os.loadavg()[0].toFixed(1);
process.stdout.write(`\nLathe dataset import vs pandas (${os.cpus().length} cores, load ${load}, Node ${process.version}, pandas/openpyxl ${pandasVersion}, SQLite writes ${values['no-thread'] ? 'on the importing thread' : 'on a writer thread for CSV'})\n`);
process.stdout.write('Wall time counts waiting on a shared machine; CPU time (user+sys) is the fairer figure when it is busy.\n');
for (const r of rows) {
  const l = r.lathe;
  const p = r.pandas;
  const line = (name, x) => `  ${name.padEnd(44)} ${fmt(x.rows)} rows: wall ${x.seconds.toFixed(2)} s = ${fmt(x.rows / x.seconds)} rows/s; CPU ${x.cpuSeconds.toFixed(2)} s = ${fmt(x.rows / x.cpuSeconds)} rows/s; peak RSS ${fmt(x.maxRssMB)} MiB\n`;
  process.stdout.write(`\n${r.label}: ${path.basename(r.file)} (${(r.size / 2 ** 20).toFixed(0)} MiB)\n`);
  process.stdout.write(line('Lathe import (parse+map+validate+SQLite)', l));
  if (l.lock) process.stdout.write(`  ${''.padEnd(44)} lathe.db write lock: ${fmt(l.lock.transactions)} transactions, longest ${l.lock.maxHoldMs.toFixed(1)} ms, publish ${l.lock.publishMs.toFixed(1)} ms, ${(l.lock.totalHoldMs / 1000).toFixed(2)} s in all\n`);
  if (l.endSeconds > 0.005) process.stdout.write(`  ${''.padEnd(44)} then, until the import worker ended: ${l.endSeconds.toFixed(2)} s\n`);
  if (p) {
    process.stdout.write(line(`pandas ${r.label === 'CSV' ? 'read_csv' : 'read_excel'} (parse only)`, p));
    process.stdout.write(`  Lathe speed / pandas speed: wall ${(p.seconds / l.seconds).toFixed(2)}x, CPU ${(p.cpuSeconds / l.cpuSeconds).toFixed(2)}x\n`);
  }
}
if (!values.keep && !values.dir) fs.rmSync(dir, { recursive: true, force: true });
