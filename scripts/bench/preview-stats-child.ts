// Benchmark child (bundled by preview-stats.mjs): stores N generated support-ticket records as a dataset, then
// times PreviewService.dataset over all of them (cold, repeated, another cutoff, after one row is edited, and after a
// restart: a new service over the same workspace, statistics from the cache folder), the longest record's preview,
// and the main thread's busy time and event-loop delay meanwhile; and datasets.preview jumping to rows of an N-row
// CSV (the first jump builds the row index, later ones read from it). Prints one JSON line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DatasetsStore } from '../../main/db/datasets-store.js';
import { ProjectsStore } from '../../main/db/projects-store.js';
import { DatasetsService } from '../../main/datasets/datasets-service.js';
import { EventHub } from '../../main/ipc/event-hub.js';
import { PreviewService, previewDepsFor } from '../../main/preview/preview-service.js';
import { openWorkspace } from '../../main/workspace/workspace.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, worker: { type: 'string' }, windowWorker: { type: 'string' }, workers: { type: 'string' }, dir: { type: 'string' } } });
const N = Number(values.rows);
const dir = values.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lathe-preview-bench-'));
const ws = openWorkspace(path.join(dir, 'home'));
const Q = ['我的订单还没有发货，请问什么时候能到？', '如何修改收货地址？', '发票怎么开？', '设备连不上 Wi-Fi，怎么办？', '可以退款吗？', 'How do I reset my password?'];
const A = ['您好，订单已经发出，预计三天内送达。物流单号已发送到您的手机，请注意查收。', '请在“个人中心 → 地址管理”中修改，已发货的订单请联系快递改派。', 'Open Settings → Account → Reset password and follow the link we e-mail you.'];

function record(i: number) {
  // Lengths spread over two orders of magnitude, a few far past the cutoff, some multi-turn.
  const rep = 1 + ((i * 7919) % 97 === 0 ? 60 : (i * 31) % 9);
  if (i % 5 === 0) return { kind: 'conversation', messages: [{ role: 'user', content: Q[i % Q.length] }, { role: 'assistant', content: A[i % A.length]!.repeat(rep) }, { role: 'user', content: `追问 ${i}` }, { role: 'assistant', content: A[(i + 1) % A.length] }] };
  return { kind: 'single', instruction: `${Q[i % Q.length]}（${i}）`, output: `${A[i % A.length]!.repeat(rep)} 编号 ${i}` };
}

const project = new ProjectsStore(ws.db).create('bench');
const store = new DatasetsStore(ws.db);
let t = performance.now();
const w = store.beginImport({ projectId: project.id, name: 'tickets', sourceName: 'tickets.jsonl', sourceSha256: '', sourceSize: 1, format: 'jsonl', readerOptions: {}, shape: 'single' });
for (let i = 0; i < N; i++) w.add(i, JSON.stringify(record(i)), `h${i}`);
const id = w.commit(0, 'single', 'sha', { fields: {} } as never).id;
const storeSeconds = (performance.now() - t) / 1000;

const svc = new PreviewService({ ...previewDepsFor(ws), measureWorkerFile: values.worker, ...(values.workers ? { measureWorkers: Number(values.workers) } : {}) });
const modelPath = 'data/models/lathe-tiny-llama';
const options = { cutoffLen: 1024, trainOnPrompt: false, maskHistory: false, enableThinking: true };
await svc.record({ modelPath, datasetId: id, index: 0, options }); // tokenizer loaded once, as the page does first

/** CPU seconds the main thread itself used (Linux: its /proc task entry; utime + stime in clock ticks), or NaN. */
function mainThreadCpu(): number {
  try {
    const f = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function measured<T>(fn: () => Promise<T>) {
  // The garbage of setting up (a million rows written in this process) is collected first, not billed to the call.
  (globalThis as { gc?: () => void }).gc?.();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const t0 = performance.now();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = mainThreadCpu();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const elu = performance.eventLoopUtilization(elu0);
  const mainThreadCpuSeconds = mainThreadCpu() - cpu0;
  loop.disable();
  // eventLoopUtilization is the main thread's alone (process.cpuUsage would add the workers' time), but wall time:
  // on a loaded machine it includes the time the OS ran something else. The thread's CPU time does not.
  return { seconds, mainThreadBusySeconds: elu.active / 1000, mainThreadCpuSeconds, eventLoopMaxDelayMs: loop.max / 1e6, eventLoopP99DelayMs: loop.percentile(99) / 1e6, value };
}

async function timed(o: typeof options, service = svc) {
  const { value, ...m } = await measured(() => service.dataset({ modelPath, datasetId: id, rows: 0, options: o, jobId: `bench-${o.cutoffLen}-${Math.random()}` }));
  return { ...m, stats: value.stats };
}

const cold = await timed(options);
const warm = await timed(options);
const cutoff = await timed({ ...options, cutoffLen: 512 });
store.edit(id, Math.floor(N / 2), { kind: 'single', instruction: 'edited', output: 'one row changed' });
const edited = await timed(options);
// A restarted app: a new service (nothing in memory) over the same workspace and cache folder.
await svc.flushStatsCache();
const passes: string[] = [];
const restarted = new PreviewService({ ...previewDepsFor(ws), measureWorkerFile: values.worker, onMeasured: (p) => passes.push(p.from) });
await restarted.record({ modelPath, datasetId: id, index: 0, options });
const reopened = { ...(await timed(options, restarted)), from: passes[0] };
t = performance.now();
const longest = await svc.record({ modelPath, datasetId: id, index: cold.stats.longest[0]!.index, options });
const longestMs = performance.now() - t;

// datasets.preview: jump to the last row of an N-row CSV (the wizard's "show row"), first 20 rows for comparison.
const csv = path.join(dir, 'tickets.csv');
const out = fs.createWriteStream(csv);
out.write('问题,回复\n');
for (let i = 0; i < N; i++) out.write(`"${Q[i % Q.length]}（${i}）","${A[i % A.length]}"\n`);
await new Promise((r) => out.end(r));
const ds = new DatasetsService({ workspace: ws, events: new EventHub(), transport: 'electron' }, { useWorker: false, ...(values.windowWorker ? { windowWorkerFile: values.windowWorker } : {}) });
const mapping = { shape: 'single' as const, fields: { instruction: { columns: ['问题'] }, output: { columns: ['回复'] } } };
t = performance.now();
await ds.preview({ file: csv, mapping, limit: 20 });
const firstPageMs = performance.now() - t;
const jump = async (row: number) => {
  const { value, ...m } = await measured(() => ds.preview({ file: csv, mapping, fromRow: row, limit: 1 }));
  return { ...m, row: value.records[0]?.row };
};
// The first jump past the sample builds the file's row index; later ones read from the nearest indexed row.
const jumps = { firstToLast: await jump(N + 1), middle: await jump(Math.floor(N / 2) + 7), last: await jump(N + 1), near: await jump(N - 5000) };

const s = cold.stats;
process.stdout.write(
  `${JSON.stringify({
    rows: N,
    cores: os.cpus().length,
    load: os.loadavg()[0],
    storeSeconds,
    cold: { ...cold, stats: undefined },
    warm: { ...warm, stats: undefined },
    cutoff512: { ...cutoff, stats: undefined, truncatedShare: cutoff.stats.truncatedShare },
    edited: { ...edited, stats: undefined },
    reopened: { ...reopened, stats: undefined, same: JSON.stringify(reopened.stats) === JSON.stringify(edited.stats) },
    stats: { records: s.records, skipped: s.skipped, totalTokens: s.totalTokens, trainableTokens: s.trainableTokens, truncated: s.truncated, truncatedShare: s.truncatedShare, maxFullLength: s.maxFullLength, p95: s.p95Length, longest: s.longest.slice(0, 3), histogram: s.histogram },
    longestRecord: { index: longest.index, fullLength: longest.fullLength, ms: longestMs },
    sourcePreview: { csvMiB: fs.statSync(csv).size / 2 ** 20, firstPageMs, jumps },
  })}\n`,
);
ds.dispose();
ws.db.close();
if (!values.dir) fs.rmSync(dir, { recursive: true, force: true });
