#!/usr/bin/env node
// Latency of one record's preview (PreviewService.record) on the demo model: cold (first call, tokenizer load
// included) and warm (median / p95 / max over 200 calls) for a short record and a ~2,000-token conversation.
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outfile = join(mkdtempSync(join(tmpdir(), 'lathe-lat-')), 'preview-service.mjs');
await build({ entryPoints: [join(repo, 'main/preview/preview-service.ts')], bundle: true, platform: 'node', format: 'esm', outfile, external: ['better-sqlite3'], logLevel: 'warning' });
const { PreviewService } = await import(pathToFileURL(outfile).href);

const svc = new PreviewService({ userTemplates: () => [] });
const modelPath = join(repo, 'data/models/lathe-tiny-llama');
const short = { kind: 'single', instruction: '我重置密码后无法登录账户，怎么办？', output: 'Please use the new reset link we sent you.' };
const turns = [];
for (let i = 0; i < 24; i++) {
  turns.push({ role: 'user', content: `Ticket ${i}: the export tool 导出工具 crashes when the file is larger than ${i * 10} MB. What should I do?` });
  turns.push({ role: 'assistant', content: `Thanks for the report (#${i}). 请先更新到最新版本，然后清除缓存并重新登录。 If the export still fails, send us the log file and we will escalate it. `.repeat(2) });
}
const long = { kind: 'conversation', messages: turns };

async function time(record) {
  const t0 = performance.now();
  const r = await svc.record({ modelPath, record, options: { cutoffLen: 4096 } });
  return { ms: performance.now() - t0, tokens: r.tokenCount };
}
const cold = await time(short);
const result = { cold_ms: +cold.ms.toFixed(2) };
for (const [name, rec] of [['short', short], ['long', long]]) {
  const ms = [];
  let tokens = 0;
  for (let i = 0; i < 200; i++) {
    const t = await time(rec);
    ms.push(t.ms);
    tokens = t.tokens;
  }
  ms.sort((a, b) => a - b);
  result[name] = { tokens, median_ms: +ms[100].toFixed(2), p95_ms: +ms[190].toFixed(2), max_ms: +ms[199].toFixed(2) };
}
console.log(JSON.stringify(result));
