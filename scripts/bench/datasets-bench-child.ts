// Benchmark child: imports one file into a fresh workspace with the real pipeline (reader → mapping → validation →
// SQLite in short transactions, then a tiny publishing one) and prints {rows, seconds, cpuSeconds, maxRssMB, lock}
// as JSON; `lock` says how often and how long the import held the workspace's write lock. Run by scripts/bench/datasets-import.mjs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatasetsStore } from '../../main/db/datasets-store.js';
import { ProjectsStore } from '../../main/db/projects-store.js';
import { runImport } from '../../main/datasets/import-pipeline.js';
import { openWorkspace } from '../../main/workspace/workspace.js';

const file = process.argv[2]!;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lathe-bench-ws-'));
const ws = openWorkspace(home);
try {
  const store = new DatasetsStore(ws.db);
  const projectId = new ProjectsStore(ws.db).create('bench').id;
  const t = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let lock: unknown = null;
  const r = await runImport(store, { projectId, file, options: {}, skipBad: true, allowDuplicate: true }, { onWritten: (s) => (lock = s) });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const dbBytes = fs.statSync(path.join(home, 'lathe.db')).size + (fs.existsSync(path.join(home, 'lathe.db-wal')) ? fs.statSync(path.join(home, 'lathe.db-wal')).size : 0);
  process.stdout.write(JSON.stringify({ rows: r.rows, skipped: r.skipped, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMB: process.resourceUsage().maxRSS / 1024, dbMB: dbBytes / 2 ** 20, lock }) + '\n');
} finally {
  ws.close();
  fs.rmSync(home, { recursive: true, force: true });
}
