// Benchmark: Lathe's merge of a PEFT LoRA adapter into a base model, written as sharded safetensors (the full
// "merged" export: weights, config, tokenizer files). Prints one JSON line: seconds and peak host RSS, to set
// beside ../shared/bench/peft_merge_baseline.py's line for the same base + adapter. Bundle it before running:
//   npx esbuild scripts/bench/merge-bench.ts --bundle --platform=node --format=esm --outfile=.device-carry/export/merge-bench.mjs \
//     --external:node-llama-cpp --external:onnxruntime-node
//   node .device-carry/export/merge-bench.mjs BASE_DIR ADAPTER_DIR|none OUT_DIR [bf16|f16|f32] [shard size, default 5GB]
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { runExportJob } from '../../main/export/export-job.js';
import { parseShardSize } from '../../main/export/safetensors-sharder.js';

const [base, adapter, out, dtype = 'bf16', shard = '5GB'] = process.argv.slice(2);
if (!base || !adapter || !out) {
  process.stderr.write('usage: merge-bench.mjs BASE_DIR ADAPTER_DIR OUT_DIR [bf16|f16|f32] [shard size]\n');
  process.exit(2);
}
rmSync(out, { recursive: true, force: true });
const t0 = performance.now();
const res = await runExportJob({
  format: 'merged',
  baseDir: base,
  // `none`: no adapter, so every tensor takes the byte-copy path: the floor of read + write + fsync through our writer
  adapterDir: adapter === 'none' ? null : adapter,
  outDir: out,
  dtype: ({ bf16: 'BF16', f16: 'F16', f32: 'F32' } as const)[dtype as 'bf16'] ?? 'BF16',
  maxShardBytes: parseShardSize(shard),
});
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(`${JSON.stringify({
  tool: 'lathe',
  merge_save_s: Math.round(seconds * 10) / 10,
  peak_rss_gib: Math.round((process.resourceUsage().maxRSS / 2 ** 20) * 100) / 100,
  threads: availableParallelism(),
  bytes_written: res.files.reduce((a, f) => a + f.bytes, 0),
  files: res.files.length,
  // where the weights' wall time went: waiting for reads, the merge pool, writes, and the last fsync
  ...(res.timings ? Object.fromEntries(Object.entries(res.timings).map(([k, v]) => [k.replace(/Ms$/, '_s'), Math.round(v / 100) / 10])) : {}),
})}\n`);
