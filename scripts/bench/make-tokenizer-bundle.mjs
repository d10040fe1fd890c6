#!/usr/bin/env node
// Bundles main/tokenizer into one ESM file (.device-carry/tokenizer.mjs) for machines without node_modules
// (the GPU machine), so tokenizer-bench.mjs runs there beside Python's tokenizers.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const outfile = path.join(repo, '.device-carry', 'tokenizer.mjs');
await build({ entryPoints: [path.join(repo, 'main/tokenizer/tokenizer.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'warning' });
console.log(`wrote ${path.relative(repo, outfile)}`);
