#!/usr/bin/env node
// Tokens/s of Lathe's TypeScript tokenizer on the fixed benchmark text that tokenizer_bench.py feeds the
// Python `tokenizers` library (same lines, same tokenizer file). One thread. Prints one JSON line.
// usage: node scripts/bench/tokenizer-bench.mjs TOKENIZER.json|FIXTURE.json [REPEAT] [--hf-js]
// --hf-js measures the @huggingface/tokenizers JS port instead, for comparison.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// LATHE_TOKENIZER_BUNDLE: a prebuilt bundle, for machines without node_modules (the GPU machine).
let outfile = process.env.LATHE_TOKENIZER_BUNDLE;
if (!outfile) {
  const { build } = await import('esbuild');
  outfile = join(mkdtempSync(join(tmpdir(), 'lathe-bench-')), 'tokenizer.mjs');
  await build({ entryPoints: [join(repo, 'main/tokenizer/tokenizer.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'warning' });
}
const { Tokenizer } = await import(pathToFileURL(outfile).href);

const hfJs = process.argv.includes('--hf-js');
const [file, repeatArg] = process.argv.slice(2).filter((a) => a !== '--hf-js');
const doc = JSON.parse(readFileSync(file, 'utf8'));
let tok = new Tokenizer(doc.tokenizer ?? doc);
if (hfJs) {
  const { Tokenizer: HfJs } = await import('@huggingface/tokenizers');
  const hf = new HfJs(doc.tokenizer ?? doc, {});
  tok = { encode: (text) => hf.encode(text, { add_special_tokens: false }).ids };
}
const repeat = Number(repeatArg ?? 50);
const base = readFileSync(join(repo, 'scripts/make-tiny-model.corpus.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('## '));
const lines = [];
for (let r = 0; r < repeat; r++) lines.push(...base);
const chars = lines.reduce((a, l) => a + l.length, 0);
for (const l of lines.slice(0, 200)) tok.encode(l);
const t0 = performance.now();
let tokens = 0;
for (const l of lines) tokens += tok.encode(l).length;
const s = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ impl: hfJs ? 'huggingface-tokenizers-js' : 'lathe-ts', file: basename(file), lines: lines.length, chars, tokens, encode_loop_s: +s.toFixed(4), encode_loop_tokens_per_s: Math.round(tokens / s), node: process.version }));
