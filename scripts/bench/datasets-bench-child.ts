// Benchmark child: imports one file into a fresh workspace as the app does — in the import worker thread (its heap
// limits included), rows written into the dataset's row file by its nested writer thread, then a tiny publishing
// transaction in lathe.db — and prints {rows, seconds, cpuSeconds, maxRssMB, dbMB, lock, endSeconds} as JSON; `lock`
// says how often and how long the import held lathe.db's write lock. Run by scripts/bench/datasets-import.mjs, which
// bundles import-worker.js (and row-write-thread.js unless --no-thread) beside this file.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { WriterStats } from '../../main/db/dataset-import-writer.js';
import { rowFilePath } from '../../main/db/dataset-row-file.js';
import { hex53 } from '../../main/datasets/content-hash.js';
import { DatasetsStore } from '../../main/db/datasets-store.js';
import { ProjectsStore } from '../../main/db/projects-store.js';
import { startImport, workerAvailable } from '../../main/datasets/import-runner.js';
import { openWorkspace } from '../../main/workspace/workspace.js';

const file = process.argv[2]!;
if (!workerAvailable()) throw new Error('import-worker.js is not beside the bench child: run scripts/bench/datasets-import.mjs');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lathe-bench-ws-'));
const ws = openWorkspace(home);
try {
  const store = new DatasetsStore(ws.db);
  const projectId = new ProjectsStore(ws.db).create('bench').id;
  const t = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let lock: WriterStats | null = null;
  const job = { projectId, file, options: {}, skipBad: true, allowDuplicate: true };
  const running = startImport({ store, dbFile: ws.paths.dbFile, useWorker: true }, { kind: 'file', job }, () => undefined, (s) => (lock = s));
  const r = (await running.result) as { rows: number; skipped: number; dataset: { id: number } };
  // The result arrives once the dataset is published; the import worker ends a moment later (timed apart).
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  await running.ended;
  const endSeconds = Number(process.hrtime.bigint() - t) / 1e9 - seconds;
  // LATHE_BENCH_DUMP=FILE: appends the stored rows' SHA-256 (and the result's problems) to FILE, to compare builds exactly.
  if (process.env.LATHE_BENCH_DUMP) {
    const h = createHash('sha256');
    const rows = new Database(rowFilePath(ws.paths.dbFile, r.dataset.id), { readonly: true });
    // The hash as it was stored before row files (14 hex digits), so that dumps of older builds compare.
    for (const [idx, sourceRow, record, hash] of rows.prepare('SELECT idx, source_row, record, content_hash FROM rows ORDER BY idx').raw().iterate() as Iterable<[number, number, string, number]>) {
      h.update(JSON.stringify([idx, sourceRow, record, hex53(hash)]) + '\n');
    }
    rows.close();
    fs.appendFileSync(process.env.LATHE_BENCH_DUMP, JSON.stringify({ file: path.basename(file), rowsSha256: h.digest('hex'), rows: r.rows, skipped: r.skipped, problems: (r as { problems?: unknown }).problems }) + '\n');
  }
  // lathe.db, its WAL and the dataset's row file.
  const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
  const dbBytes = size(ws.paths.dbFile) + size(`${ws.paths.dbFile}-wal`) + size(rowFilePath(ws.paths.dbFile, r.dataset.id));
  process.stdout.write(JSON.stringify({ rows: r.rows, skipped: r.skipped, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMB: process.resourceUsage().maxRSS / 1024, dbMB: dbBytes / 2 ** 20, lock, endSeconds }) + '\n');
} finally {
  ws.close();
  fs.rmSync(home, { recursive: true, force: true });
}
