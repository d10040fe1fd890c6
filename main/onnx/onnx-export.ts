// Writes the merged decoder as `model.onnx` (graph, protobuf) + `model.onnx.data` (f32 weights, external data),
// one weight at a time: peak memory is the largest weight, transposed. Does not run or verify the model.
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MergedWeights } from '../export/merged-weights.js';
import { throwIfCancelled } from '../export/merged-writer.js';
import { archInfo, llama3RopeFactors, ropeTheta, type HfConfig } from '../gguf/gguf-metadata.js';
import { buildDecoderGraph, type DecoderConfig } from './llama-onnx-graph.js';
import { encodeModel, OnnxDataType, type OnnxTensor } from './onnx-proto.js';

export interface OnnxExportOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, tensor: string) => void;
}

export const ONNX_FILE = 'model.onnx';
export const ONNX_DATA_FILE = 'model.onnx.data';
/** Page-aligned offsets let onnxruntime map weights instead of copying them. */
const ALIGN = 4096;

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
  const cfg = await decoderConfigOf(modelDir, w);
  const g = buildDecoderGraph(cfg);
  const initializers: OnnxTensor[] = [...g.constants];
  let offset = 0;
  const placed: { ref: (typeof g.weights)[number]; offset: number; dims: number[] }[] = [];
  for (const ref of g.weights) {
    const src = w.get(ref.hf);
    if (!src) throw new Error(`The model has no ${ref.hf}, which the ONNX decoder needs.`);
    const dims = ref.transpose ? [src.shape[1]!, src.shape[0]!] : [...src.shape];
    const length = dims.reduce((a, b) => a * b, 1) * 4;
    placed.push({ ref, offset, dims });
    initializers.push({ name: ref.name, dataType: OnnxDataType.FLOAT, dims, external: { location: ONNX_DATA_FILE, offset, length } });
    offset = Math.ceil((offset + length) / ALIGN) * ALIGN;
  }
  const total = offset;
  const fh = await open(join(outDir, ONNX_DATA_FILE), 'w');
  try {
    for (const p of placed) {
      throwIfCancelled(o.signal);
      const src = w.get(p.ref.hf)!;
      let values = await w.readF32(p.ref.hf);
      if (p.ref.transpose) values = transpose(values, src.shape[0]!, src.shape[1]!);
      const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      let done = 0;
      while (done < bytes.length) done += (await fh.write(bytes, done, bytes.length - done, p.offset + done)).bytesWritten;
      o.onProgress?.(p.offset + bytes.length, total, p.ref.name);
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
    metadata: { architecture: 'llama-decoder-with-past', num_layers: String(cfg.layers), num_kv_heads: String(cfg.kvHeads), head_dim: String(cfg.headDim) },
  });
  await writeFile(join(outDir, ONNX_FILE), model);
}
