// Random access to the tensors of a safetensors model folder (single file or sharded): positioned reads of one
// tensor (or a slice of its rows) at a time. Never reads a whole file into memory; does not write anything.
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';
import { DTYPE_BYTES, listWeightFiles, readSafetensorsHeader } from '../models/safetensors-header.js';
import { toF32 } from './half-float.js';

export interface SourceTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly file: string;
  /** Absolute byte offset of the data in `file`, and its length. */
  readonly offset: number;
  readonly bytes: number;
}

export class SafetensorsSource {
  private readonly handles = new Map<string, FileHandle>();

  private constructor(
    readonly dir: string,
    readonly tensors: readonly SourceTensor[],
  ) {}

  /** Opens a model folder (`model.safetensors` or an index's shards) or one `.safetensors` file. */
  static async open(dir: string, file?: string): Promise<SafetensorsSource> {
    const files = file ? [file] : await listWeightFiles(dir);
    if (files.length === 0) throw new LatheError('bad_input', `${dir} holds no safetensors weights (model.safetensors or model.safetensors.index.json).`, { path: dir });
    const tensors: SourceTensor[] = [];
    for (const f of files) {
      const path = join(dir, f);
      const header = await readSafetensorsHeader(path);
      const fh = await open(path, 'r');
      const lenBuf = new Uint8Array(8);
      await fh.read(lenBuf, 0, 8, 0);
      await fh.close();
      const dataStart = 8 + Number(new DataView(lenBuf.buffer).getBigUint64(0, true));
      for (const [name, info] of Object.entries(header)) {
        if (name === '__metadata__') continue;
        const t = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
        const bytes = t.data_offsets[1] - t.data_offsets[0];
        const want = t.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[t.dtype] ?? NaN);
        if (bytes !== want) throw new LatheError('bad_input', `${path}: tensor ${name} has ${bytes} bytes, its shape needs ${want}.`, { path });
        tensors.push({ name, dtype: t.dtype, shape: t.shape, file: f, offset: dataStart + t.data_offsets[0], bytes });
      }
    }
    return new SafetensorsSource(dir, tensors);
  }

  get(name: string): SourceTensor | undefined {
    return this.tensors.find((t) => t.name === name);
  }

  private async handle(file: string): Promise<FileHandle> {
    let fh = this.handles.get(file);
    if (!fh) {
      fh = await open(join(this.dir, file), 'r');
      this.handles.set(file, fh);
    }
    return fh;
  }

  /** Raw bytes [start, start+length) of a tensor's data, in a fresh, 8-byte-aligned buffer. */
  async readBytes(t: SourceTensor, start = 0, length = t.bytes - start, into?: Uint8Array): Promise<Uint8Array> {
    const buf = into ? into.subarray(0, length) : new Uint8Array(length);
    const fh = await this.handle(t.file);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(buf, done, length - done, t.offset + start + done);
      if (bytesRead === 0) throw new LatheError('io_error', `${t.file} ends inside tensor ${t.name}: the file is truncated.`, { path: join(this.dir, t.file) });
      done += bytesRead;
    }
    return buf;
  }

  /** The whole tensor as f32 (for the ones we change: at most one layer's matrix at a time). */
  async readF32(t: SourceTensor): Promise<Float32Array> {
    return toF32(await this.readBytes(t), t.dtype);
  }

  /** Rows [row, row+count) of a 2-D (or 1-D, row = element) tensor as f32. */
  async readRowsF32(t: SourceTensor, row: number, count: number): Promise<Float32Array> {
    const cols = t.shape.length > 1 ? t.shape.slice(1).reduce((a, b) => a * b, 1) : 1;
    const esize = DTYPE_BYTES[t.dtype]!;
    return toF32(await this.readBytes(t, row * cols * esize, count * cols * esize), t.dtype);
  }

  async close(): Promise<void> {
    for (const fh of this.handles.values()) await fh.close();
    this.handles.clear();
  }
}
