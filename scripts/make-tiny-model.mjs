#!/usr/bin/env node
// Builds data/models/lathe-tiny-llama/ (the embedded demo model) by bundling make-tiny-model.ts with esbuild
// and running it. Deterministic: running it twice gives byte-identical files.
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(mkdtempSync(join(tmpdir(), 'lathe-tiny-')), 'make-tiny-model.mjs');
await build({ entryPoints: [join(here, 'make-tiny-model.ts')], bundle: true, platform: 'node', format: 'esm', outfile, packages: 'external', logLevel: 'warning' });
const { main } = await import(pathToFileURL(outfile).href);
await main(process.argv.slice(2));
