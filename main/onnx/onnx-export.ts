// Writes the merged decoder as `model.onnx` (graph, protobuf) + `model.onnx.data` (weights as external data, f32,
// f16 or bf16), a band of rows at a time (~32 MB), transposed where MatMul wants it. Does not run or verify the model.
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromF32, type FloatDtype } from '../export/half-float.js';
import type { MergedWeights } from '../export/merged-weights.js';
import { throwIfCancelled } from '../export/merged-writer.js';
import { archInfo, llama3RopeFactors, ropeTheta, type HfConfig } from '../gguf/gguf-metadata.js';
import { buildDecoderGraph, type DecoderConfig } from './llama-onnx-graph.js';
import { encodeModel, OnnxDataType, type OnnxTensor } from './onnx-proto.js';

export interface OnnxExportOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, tensor: string) => void;
  /** Rows are read and written in bands of about this many bytes (default 32 MB). */
  readonly bandBytes?: number;
  /** Weight storage (default F32); the graph computes in f32 either way (llama-onnx-graph.ts). */
  readonly dtype?: FloatDtype;
}

const ONNX_TYPES: Record<FloatDtype, OnnxDataType> = { F32: OnnxDataType.FLOAT, F16: OnnxDataType.FLOAT16, BF16: OnnxDataType.BFLOAT16 };

export const ONNX_FILE = 'model.onnx';
export const ONNX_DATA_FILE = 'model.onnx.data';
/** Page-aligned offsets let onnxruntime map weights instead of copying them. */
const ALIGN = 4096;
const ROWS_BYTES = 32 * 2 ** 20;

export async function decoderConfigOf(modelDir: string, w: MergedWeights): Promise<DecoderConfig> {
  const cfg = JSON.parse(await readFile(join(modelDir, 'config.json'), 'utf8')) as HfConfig;
  const a = archInfo(cfg);
  return {
    hidden: cfg.hidden_size,
    layers: a.layers,
    heads: a.heads,
    kvHeads: a.kvHeads,
    headDim: a.headDim,
    vocab: cfg.vocab_size,
    eps: cfg.rms_norm_eps ?? 1e-6,
    ropeTheta: ropeTheta(cfg),
    ropeFactors: llama3RopeFactors(cfg),
    tied: !w.get('lm_head.weight'),
    qkvBias: !!w.get('model.layers.0.self_attn.q_proj.bias'),
    qkNorm: !!w.get('model.layers.0.self_attn.q_norm.weight'),
  };
}

function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const y = new Float32Array(x.length);
  // 64×64 tiles keep both sides in cache.
  for (let r0 = 0; r0 < rows; r0 += 64)
    for (let c0 = 0; c0 < cols; c0 += 64)
      for (let r = r0; r < Math.min(rows, r0 + 64); r++)
        for (let c = c0; c < Math.min(cols, c0 + 64); c++) y[c * rows + r] = x[r * cols + c]!;
  return y;
}

export async function writeOnnx(w: MergedWeights, modelDir: string, outDir: string, o: OnnxExportOptions): Promise<void> {
  const dtype = o.dtype ?? 'F32';
  const bytes = dtype === 'F32' ? 4 : 2;
  const cfg = await decoderConfigOf(modelDir, w);
  const g = buildDecoderGraph({ ...cfg, weightType: ONNX_TYPES[dtype] });
  const initializers: OnnxTensor[] = [...g.constants];
  let offset = 0;
  const placed: { ref: (typeof g.weights)[number]; offset: number; dims: number[] }[] = [];
  for (const ref of g.weights) {
    const src = w.get(ref.hf);
    if (!src) throw new Error(`The model has no ${ref.hf}, which the ONNX decoder needs.`);
    const dims = ref.transpose ? [src.shape[1]!, src.shape[0]!] : [...src.shape];
    const length = dims.reduce((a, b) => a * b, 1) * bytes;
    placed.push({ ref, offset, dims });
    initializers.push({ name: ref.name, dataType: ONNX_TYPES[dtype], dims, external: { location: ONNX_DATA_FILE, offset, length } });
    offset = Math.ceil((offset + length) / ALIGN) * ALIGN;
  }
  const total = offset;
  const fh = await open(join(outDir, ONNX_DATA_FILE), 'w');
  const writeAt = async (bytes: Uint8Array, pos: number) => {
    let done = 0;
    while (done < bytes.length) done += (await fh.write(bytes, done, bytes.length - done, pos + done)).bytesWritten;
  };
  try {
    for (const p of placed) {
      const src = w.get(p.ref.hf)!;
      const rows = src.shape.length > 1 ? src.shape[0]! : 1;
      const cols = src.shape.length > 1 ? src.shape[1]! : src.shape[0]!;
      // Row blocks of ~32 MB: an 8B model's 128256 × 4096 output matrix never has to be whole in memory.
      const step = Math.max(1, Math.floor((o.bandBytes ?? ROWS_BYTES) / (cols * 4)));
      for (let r0 = 0; r0 < rows; r0 += step) {
        throwIfCancelled(o.signal);
        const n = Math.min(step, rows - r0);
        const block = src.shape.length > 1 ? await w.readRowsF32(p.ref.hf, r0, n) : await w.readF32(p.ref.hf);
        if (!p.ref.transpose) {
          await writeAt(fromF32(block, dtype), p.offset + r0 * cols * bytes);
          continue;
        }
        // Stored transposed (cols, rows): this block is a column band; each of its `cols` rows is one write.
        const t = fromF32(transpose(block, n, cols), dtype);
        const writes: Promise<void>[] = [];
        for (let c = 0; c < cols; c++) {
          writes.push(writeAt(t.subarray(c * n * bytes, (c + 1) * n * bytes), p.offset + (c * rows + r0) * bytes));
          if (writes.length >= 256) await Promise.all(writes.splice(0));
        }
        await Promise.all(writes);
      }
      o.onProgress?.(p.offset + rows * cols * bytes, total, p.ref.name);
    }
    await fh.truncate(total);
    await fh.sync();
  } finally {
    await fh.close();
  }
  const model = encodeModel({
    irVersion: 8,
    opsets: [{ domain: '', version: 17 }],
    producerName: 'lathe',
    producerVersion: '0.1.0',
    graph: { name: 'decoder', nodes: g.nodes, initializers, inputs: g.inputs, outputs: g.outputs },
    metadata: { architecture: 'llama-decoder-with-past', num_layers: String(cfg.layers), num_kv_heads: String(cfg.kvHeads), head_dim: String(cfg.headDim), weight_dtype: dtype.toLowerCase() },
  });
  await writeFile(join(outDir, ONNX_FILE), model);
}
