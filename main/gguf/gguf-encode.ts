// One slice of a GGUF tensor from source rows to file bytes: decode (F32/F16/BF16), add the LoRA delta, quantise.
// Shared by the quantisation workers and the inline path, so both give identical bytes. No I/O.
import { fromF32 } from '../export/half-float.js';
import { addLoraDelta } from '../export/lora-merge.js';
import { createWasmMerge } from '../export/lora-merge-wasm.js';
import { decodeRange } from '../export/row-codec.js';
import { GgmlType } from './gguf-types.js';
import { quantizeQ4_0 } from './quantize-q4_0.js';
import { quantizeQ4_K } from './quantize-q4_k.js';
import { quantizeQ6_K } from './quantize-q6_k.js';
import { quantizeQ8_0 } from './quantize-q8_0.js';

export function encodeTensor(values: Float32Array, type: GgmlType): Uint8Array {
  switch (type) {
    case GgmlType.F32: return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
    case GgmlType.F16: return fromF32(values, 'F16');
    case GgmlType.BF16: return fromF32(values, 'BF16');
    case GgmlType.Q8_0: return quantizeQ8_0(values);
    case GgmlType.Q4_0: return quantizeQ4_0(values);
    case GgmlType.Q4_K: return quantizeQ4_K(values);
    case GgmlType.Q6_K: return quantizeQ6_K(values);
  }
}

export interface EncodeJob {
  readonly type: GgmlType;
  readonly rows: number;
  readonly cols: number;
  /** Either merged f32 values (rows × cols), or raw source rows plus the LoRA pair's slice to merge here. */
  readonly values?: Float32Array;
  readonly raw?: Uint8Array;
  readonly srcDtype?: string;
  /** b holds only this slice's rows of B (rows × rank). */
  readonly lora?: { readonly a: Float32Array; readonly b: Float32Array; readonly at?: Float32Array; readonly rank: number; readonly scale: number };
}

let merge: ReturnType<typeof createWasmMerge> | undefined;

export function runEncodeJob(job: EncodeJob): Uint8Array {
  let values = job.values;
  if (!values) {
    values = new Float32Array(job.rows * job.cols);
    decodeRange(job.raw!, job.srcDtype!, 0, job.rows * job.cols, values);
    if (job.lora) {
      merge ??= createWasmMerge(addLoraDelta);
      merge(values, job.lora.a, job.lora.b, job.cols, job.lora.rank, job.lora.scale, job.rows);
    }
  }
  return encodeTensor(values, job.type);
}
