// A model's weights as they are after merging a LoRA adapter, read lazily: rows of one tensor at a time, with
// scale·B·A added to the adapted ones. The view GGUF and ONNX writers read from; it writes nothing.
import { errorText, LatheError } from '../../preload/contract/errors.js';
import { openLoraAdapter, type LoraAdapter, type LoraPair } from './lora-adapter.js';
import { addLoraDelta, transposeA } from './lora-merge.js';
import { createWasmMerge } from './lora-merge-wasm.js';
import { SafetensorsSource, type SourceTensor } from './safetensors-source.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const MERGED_WEIGHTS_ERROR_CODES = ['err.export.quantisedBase', 'err.export.otherBaseMissing', 'err.export.otherBaseShape'] as const;
const errText = errorText(MERGED_WEIGHTS_ERROR_CODES);

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16']);

export class MergedWeights {
  private merge: ReturnType<typeof createWasmMerge> | undefined;
  private readonly loraCache = new Map<string, { a: Float32Array; b: Float32Array; at: Float32Array }>();

  private constructor(
    readonly base: SafetensorsSource,
    readonly adapter: LoraAdapter | null,
  ) {}

  /** Base weights plus (optionally) an adapter; checks that every adapted weight exists with matching shape. */
  static async open(baseDir: string, adapterDir: string | null): Promise<MergedWeights> {
    const base = await SafetensorsSource.open(baseDir);
    let adapter: LoraAdapter | null = null;
    try {
      for (const t of base.tensors) {
        if (!FLOAT_DTYPES.has(t.dtype)) {
          throw new LatheError('unsupported', `${baseDir} stores ${t.name} as ${t.dtype}: merging needs the unquantised base model (F32, F16 or BF16), as QLoRA runs are merged into the original weights.`, { path: baseDir }, errText('err.export.quantisedBase', { path: baseDir, tensor: t.name, dtype: t.dtype }));
        }
      }
      if (adapterDir) {
        adapter = await openLoraAdapter(adapterDir);
        for (const pair of adapter.pairs.values()) checkPair(base, pair, baseDir);
      }
    } catch (err) {
      await base.close();
      await adapter?.source.close();
      throw err;
    }
    return new MergedWeights(base, adapter);
  }

  get tensors(): readonly SourceTensor[] {
    return this.base.tensors;
  }

  get(name: string): SourceTensor | undefined {
    return this.base.get(name);
  }

  pair(name: string): LoraPair | undefined {
    return this.adapter?.pairs.get(name);
  }

  /**
   * A and B of the pair as f32 on SharedArrayBuffers (worker threads can read them). Only the last pair is kept:
   * writers go tensor by tensor, and all pairs of an 8B model together would be ~150 MB.
   */
  async loraF32(pair: LoraPair): Promise<{ a: Float32Array; b: Float32Array; at: Float32Array }> {
    let ab = this.loraCache.get(pair.target);
    if (!ab) {
      const src = this.adapter!.source;
      const a = toShared(await src.readF32(pair.a));
      ab = { a, b: toShared(await src.readF32(pair.b)), at: transposeA(a, pair.rank, pair.a.shape[1]!, new Float32Array(new SharedArrayBuffer(a.byteLength || 4), 0, a.length)) };
      this.loraCache.clear();
      this.loraCache.set(pair.target, ab);
    }
    return ab;
  }


  /** Rows [row, row+count) of a tensor after the merge, f32, (count, cols). 1-D tensors have one element per row. */
  async readRowsF32(name: string, row: number, count: number): Promise<Float32Array> {
    const t = this.base.get(name);
    if (!t) throw new Error(`No tensor ${name} in the base model.`);
    const w = await this.base.readRowsF32(t, row, count);
    const pair = this.pair(name);
    if (pair) {
      const { a, b, at } = await this.loraF32(pair);
      const cols = t.shape[1]!;
      this.merge ??= createWasmMerge(addLoraDelta);
      this.merge(w, a, b.subarray(row * pair.rank, (row + count) * pair.rank), cols, pair.rank, pair.scale, count);
    }
    return w;
  }

  async readF32(name: string): Promise<Float32Array> {
    const t = this.base.get(name);
    if (!t) throw new Error(`No tensor ${name} in the base model.`);
    return this.readRowsF32(name, 0, t.shape[0] ?? 1);
  }

  async close(): Promise<void> {
    await this.base.close();
    await this.adapter?.source.close();
    this.loraCache.clear();
  }
}

function toShared(values: Float32Array): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(Math.max(4, values.byteLength)), 0, values.length);
  out.set(values);
  return out;
}

function checkPair(base: SafetensorsSource, pair: LoraPair, baseDir: string): void {
  const t = base.get(pair.target);
  if (!t) {
    throw new LatheError('bad_input', `The adapter changes ${pair.target}, which ${baseDir} does not have: it was trained on another base model.`, { path: baseDir }, errText('err.export.otherBaseMissing', { path: baseDir, target: pair.target }));
  }
  const [out, inDim] = t.shape;
  if (t.shape.length !== 2 || pair.b.shape[0] !== out || pair.a.shape[1] !== inDim) {
    throw new LatheError('bad_input', `The adapter's ${pair.target} is ${pair.b.shape[0]}×${pair.a.shape[1]}, the base weight is ${t.shape.join('×')}: it was trained on another base model.`, { path: baseDir }, errText('err.export.otherBaseShape', { target: pair.target, adapterShape: `${pair.b.shape[0]}×${pair.a.shape[1]}`, baseShape: t.shape.join('×') }));
  }
}
