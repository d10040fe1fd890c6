// Writes one GGUF file from merged weights: metadata (model + tokenizer + chat template), tensor infos, then each
// tensor read a slice of rows at a time, permuted where llama.cpp needs it, quantised and streamed to disk.
// Does not verify the result (verify-gguf.ts does, through llama.cpp).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromF32 } from '../export/half-float.js';
import type { MergedWeights } from '../export/merged-weights.js';
import { throwIfCancelled } from '../export/merged-writer.js';
import { archInfo, llama3RopeFactors, modelMetadata, type HfConfig } from './gguf-metadata.js';
import { ggufTensorName, permuteQK, PRESET_FILE_TYPE, tensorTypeFor, type QuantPreset } from './gguf-tensor-map.js';
import { tokenizerMetadata } from './gguf-tokenizer.js';
import { GgmlType } from './gguf-types.js';
import { GgufWriter, meta, tensorDataBytes, type GgufMetaValue, type GgufTensorInfo } from './gguf-writer.js';
import { quantizeQ4_0 } from './quantize-q4_0.js';
import { quantizeQ4_K } from './quantize-q4_k.js';
import { quantizeQ6_K } from './quantize-q6_k.js';
import { quantizeQ8_0 } from './quantize-q8_0.js';

export interface GgufExportOptions {
  readonly preset: QuantPreset;
  readonly name: string;
  readonly eosToken: string | null;
  readonly chatTemplate: string | null;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, tensor: string) => void;
}

export function encodeTensor(values: Float32Array, type: GgmlType): Uint8Array {
  switch (type) {
    case GgmlType.F32: return fromF32(values, 'F32');
    case GgmlType.F16: return fromF32(values, 'F16');
    case GgmlType.BF16: return fromF32(values, 'BF16');
    case GgmlType.Q8_0: return quantizeQ8_0(values);
    case GgmlType.Q4_0: return quantizeQ4_0(values);
    case GgmlType.Q4_K: return quantizeQ4_K(values);
    case GgmlType.Q6_K: return quantizeQ6_K(values);
  }
}

interface Planned {
  readonly info: GgufTensorInfo;
  readonly hf: string | null;
  readonly permuteHeads: number;
  readonly constant?: Float32Array;
}

const ROWS_BYTES = 32 * 2 ** 20;

export async function writeGguf(w: MergedWeights, modelDir: string, outPath: string, o: GgufExportOptions): Promise<{ warnings: string[] }> {
  const config = JSON.parse(await readFile(join(modelDir, 'config.json'), 'utf8')) as HfConfig;
  const a = archInfo(config);
  const quantized = !['f32', 'f16', 'bf16'].includes(o.preset);
  const metadata = new Map<string, GgufMetaValue>(modelMetadata(config, o.name, PRESET_FILE_TYPE[o.preset], quantized));
  metadata.set('general.alignment', meta.u32(32));
  const tok = await tokenizerMetadata(modelDir, config.vocab_size, { eosToken: o.eosToken, chatTemplate: o.chatTemplate });
  for (const [k, v] of tok.entries) metadata.set(k, v);

  const planned: Planned[] = [];
  const ropeFactors = llama3RopeFactors(config);
  if (ropeFactors) planned.push({ info: { name: 'rope_freqs.weight', shape: [ropeFactors.length], type: GgmlType.F32 }, hf: null, permuteHeads: 0, constant: ropeFactors });
  for (const t of w.tensors) {
    const name = ggufTensorName(t.name);
    if (!name) continue;
    let permuteHeads = 0;
    if (a.arch === 'llama' && name.endsWith('attn_q.weight')) permuteHeads = a.heads;
    if (a.arch === 'llama' && name.endsWith('attn_k.weight')) permuteHeads = a.kvHeads;
    planned.push({ info: { name, shape: t.shape, type: tensorTypeFor(o.preset, name, t.shape, a.layers) }, hf: t.name, permuteHeads });
  }
  const writer = await GgufWriter.create(outPath, metadata, planned.map((p) => p.info));
  const total = planned.reduce((s, p) => s + tensorDataBytes(p.info), 0);
  let done = 0;
  try {
    for (const p of planned) {
      throwIfCancelled(o.signal);
      if (p.constant) {
        await writer.write(p.info.name, encodeTensor(p.constant, p.info.type));
      } else if (p.permuteHeads) {
        const [rows, cols] = p.info.shape as [number, number];
        const merged = await w.readF32(p.hf!);
        await writer.write(p.info.name, encodeTensor(permuteQK(merged, rows, cols, p.permuteHeads), p.info.type));
      } else {
        const rows = p.info.shape.length > 1 ? p.info.shape[0]! : 1;
        const cols = p.info.shape.length > 1 ? p.info.shape.slice(1).reduce((x, y) => x * y, 1) : p.info.shape[0]!;
        const step = Math.max(1, Math.floor(ROWS_BYTES / (cols * 4)));
        for (let r = 0; r < rows; r += step) {
          throwIfCancelled(o.signal);
          const n = Math.min(step, rows - r);
          const values = p.info.shape.length > 1 ? await w.readRowsF32(p.hf!, r, n) : await w.readF32(p.hf!);
          await writer.write(p.info.name, encodeTensor(values, p.info.type));
        }
      }
      done += tensorDataBytes(p.info);
      o.onProgress?.(done, total, p.info.name);
    }
    await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  }
  return { warnings: tok.warnings };
}
