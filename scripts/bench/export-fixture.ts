// Builds the folder test/reference/export_check.py reads on the GPU machine: the tiny adapter, merged f32 and bf16
// folders and the ONNX export, all written by Lathe here (the GPU machine may have no Node).
//   npx esbuild scripts/bench/export-fixture.ts --bundle --platform=node --format=esm --outfile=/tmp/ef.mjs --external:node-llama-cpp --external:onnxruntime-node
//   node /tmp/ef.mjs OUT_DIR [BASE_DIR]
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runExportJob } from '../../main/export/export-job.js';
import { builtinTemplate } from '../../main/templates/template-registry.js';
import { makeTinyAdapter } from '../../test/fixtures/export/tiny-adapter.js';

const out = process.argv[2];
// The demo model, from the repository root (a bundled script cannot find it from its own location).
const TINY_MODEL = resolve(process.argv[3] ?? 'data/models/lathe-tiny-llama');
if (!out) throw new Error('usage: export-fixture OUT_DIR');
rmSync(out, { recursive: true, force: true });
const adapter = join(out, 'adapter');
makeTinyAdapter(adapter);
const template = { kind: 'spec' as const, spec: builtinTemplate('qwen')! };
await runExportJob({ format: 'merged', baseDir: TINY_MODEL, adapterDir: adapter, outDir: join(out, 'merged-f32'), dtype: 'F32', template });
await runExportJob({ format: 'merged', baseDir: TINY_MODEL, adapterDir: adapter, outDir: join(out, 'merged-bf16'), dtype: 'BF16', template });
await runExportJob({ format: 'onnx', baseDir: TINY_MODEL, adapterDir: adapter, outDir: join(out, 'onnx'), template });
process.stdout.write(`wrote ${out}\n`);
