#!/usr/bin/env node
// End-to-end tokenization throughput: N synthetic records (default 1,000,000; single-turn and multi-turn, English
// and Chinese) rendered with the demo model's template and written to one .ltok file, with worker threads.
// usage: node scripts/bench/tokenizer-e2e.mjs [N] [WORKERS]
import { build } from 'esbuild';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outdir = mkdtempSync(join(tmpdir(), 'lathe-e2e-'));
// The worker must sit beside tokenize-dataset.js, as it does in dist/.
await build({
  entryPoints: { 'tokenize-dataset': join(repo, 'main/tokenizer/tokenize-dataset.ts'), 'tokenize-worker': join(repo, 'main/tokenizer/tokenize-worker.ts'), 'encoding-session': join(repo, 'main/preview/encoding-session.ts') },
  bundle: true, platform: 'node', format: 'esm', outdir, splitting: true, logLevel: 'warning',
});
const { tokenizeDataset } = await import(pathToFileURL(join(outdir, 'tokenize-dataset.js')).href);
const { openEncodingSession } = await import(pathToFileURL(join(outdir, 'encoding-session.js')).href);

const n = Number(process.argv[2] ?? 1_000_000);
const workers = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const en = ['How do I reset my password?', 'The export button does nothing in Firefox.', 'Can I get a refund for a double charge?', 'Why does the API return HTTP 429?'];
const zh = ['我重置密码后无法登录账户。', '导出的 Excel 文件打开后中文全是乱码。', '可以退款吗？我被重复扣款了。', '手机应用打开大图片时会闪退。'];
const answers = ['Please use the new link we sent; it expires in 30 minutes.', '请在“设置 → 下载”中允许弹窗，然后重试。', 'We have refunded the duplicate payment of $49.00.', 'That is our rate limit: batch your requests or ask us to raise it.'];
const records = [];
for (let i = 0; i < n; i++) {
  const q = (i % 2 ? zh : en)[i % 4] + ` (ticket #${i})`;
  const a = answers[(i * 7) % 4];
  records.push(
    i % 5 === 0
      ? { kind: 'conversation', messages: [{ role: 'user', content: q }, { role: 'assistant', content: a }, { role: 'user', content: 'Thanks! And then?' }, { role: 'assistant', content: answers[(i + 1) % 4] }] }
      : { kind: 'single', instruction: q, output: a },
  );
}
const s = await openEncodingSession(join(repo, 'data/models/lathe-tiny-llama'), undefined);
const out = join(outdir, 'bench.ltok');
const t0 = performance.now();
const res = await tokenizeDataset({
  records, tokenizer: s.tokenizer, tokenizerSha256: s.tokenizerSha256, outFile: out, workers,
  setup: { tokenizerPath: s.tokenizerPath, template: s.template, special: s.special, options: { cutoffLen: 2048, trainOnPrompt: false, maskHistory: false, enableThinking: true } },
});
const sec = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ records: res.records, tokens: res.tokens, trainable: res.trainableTokens, workers: res.workers, seconds: +sec.toFixed(2), records_per_s: Math.round(res.records / sec), tokens_per_s: Math.round(res.tokens / sec), bytes: statSync(out).size, template: s.templateName }));
rmSync(outdir, { recursive: true, force: true });
