// Streams tensors into sharded safetensors files (`model-0000i-of-0000N.safetensors` + `model.safetensors.index.json`,
// or one `model.safetensors` when everything fits), laid out before any data is written so each tensor's bytes go
// straight to disk. Holds no tensor data itself; does not convert dtypes (callers hand it final bytes).
import { open, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { DTYPE_BYTES } from '../models/safetensors-header.js';

export interface PlannedTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
}

export interface ShardPlan {
  readonly file: string;
  readonly tensors: readonly PlannedTensor[];
  readonly dataBytes: number;
}

export function tensorBytes(t: PlannedTensor): number {
  return t.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[t.dtype] ?? NaN);
}

/**
 * Greedy in the given order, like transformers' `split_torch_state_dict_into_shards`: a new shard starts when the
 * next tensor would push the current one past maxShardBytes; a tensor larger than the limit gets a shard alone.
 */
export function planShards(tensors: readonly PlannedTensor[], maxShardBytes: number): ShardPlan[] {
  const groups: PlannedTensor[][] = [];
  let current: PlannedTensor[] = [];
  let size = 0;
  for (const t of tensors) {
    const b = tensorBytes(t);
    if (current.length > 0 && size + b > maxShardBytes) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(t);
    size += b;
  }
  if (current.length > 0 || groups.length === 0) groups.push(current);
  const n = groups.length;
  const pad = (i: number) => String(i).padStart(5, '0');
  return groups.map((g, i) => ({
    file: n === 1 ? 'model.safetensors' : `model-${pad(i + 1)}-of-${pad(n)}.safetensors`,
    tensors: g,
    dataBytes: g.reduce((a, t) => a + tensorBytes(t), 0),
  }));
}

/** The JSON header with each tensor's data_offsets, padded with spaces to a multiple of 8 bytes. */
export function encodeHeader(tensors: readonly PlannedTensor[], metadata: Readonly<Record<string, string>>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const b = tensorBytes(t);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + b] };
    offset += b;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const body = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(body.length), true);
  out.set(body, 8);
  return out;
}

/**
 * Bytes between background fdatasyncs while a shard is written. Linux keeps up to ~10% of RAM dirty before it
 * starts writing back on its own, so without these a whole shard (5 GB) waited for the one fsync at its end.
 */
export const SYNC_EVERY = 256 * 2 ** 20;

/** Writes one planned shard: header first, then each tensor's bytes in plan order, checked against the plan. */
export class ShardWriter {
  private index = 0;
  private written = 0;
  private pos = 0;
  private nextSync: number;
  /** The fdatasync in flight, at most one; its failure fails close(). */
  private syncing: Promise<void> | null = null;
  private syncError: unknown = null;

  private constructor(
    private readonly fh: FileHandle,
    readonly plan: ShardPlan,
    private readonly syncEvery: number,
  ) {
    this.nextSync = syncEvery;
  }

  static async create(dir: string, plan: ShardPlan, metadata: Readonly<Record<string, string>> = { format: 'pt' }, syncEvery = SYNC_EVERY): Promise<ShardWriter> {
    const fh = await open(join(dir, plan.file), 'w');
    const w = new ShardWriter(fh, plan, syncEvery);
    await w.raw(encodeHeader(plan.tensors, metadata));
    return w;
  }

  private async raw(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.byteLength) {
      const { bytesWritten } = await this.fh.write(bytes, done, bytes.byteLength - done, this.pos);
      done += bytesWritten;
      this.pos += bytesWritten;
    }
    if (this.pos >= this.nextSync && !this.syncing) {
      // What is written so far goes to disk while the merge goes on; close() then only waits for the tail.
      this.nextSync = this.pos + this.syncEvery;
      this.syncing = this.fh.datasync().then(
        () => void (this.syncing = null),
        (err: unknown) => void ((this.syncError ??= err), (this.syncing = null)),
      );
    }
  }

  /** The tensor being written now. */
  get current(): PlannedTensor | undefined {
    return this.plan.tensors[this.index];
  }

  /** Appends bytes of the current tensor (in one or many pieces); moves to the next tensor when it is complete. */
  async write(name: string, bytes: Uint8Array): Promise<void> {
    const t = this.current;
    if (!t || t.name !== name) throw new Error(`Shard ${this.plan.file}: expected ${t?.name ?? 'no more tensors'}, got ${name}.`);
    const want = tensorBytes(t);
    if (this.written + bytes.byteLength > want) throw new Error(`Tensor ${name}: ${this.written + bytes.byteLength} bytes written, the plan says ${want}.`);
    await this.raw(bytes);
    this.written += bytes.byteLength;
    if (this.written === want) {
      this.index++;
      this.written = 0;
    }
  }

  async close(): Promise<void> {
    try {
      if (this.index !== this.plan.tensors.length) throw new Error(`Shard ${this.plan.file} closed after ${this.index} of ${this.plan.tensors.length} tensors.`);
      await this.syncing;
      if (this.syncError) throw this.syncError;
      await this.fh.sync();
    } finally {
      await this.fh.close();
    }
  }

  async abort(): Promise<void> {
    await this.syncing;
    await this.fh.close().catch(() => undefined);
  }
}

/** `model.safetensors.index.json` for more than one shard (transformers' format: metadata.total_size + weight_map). */
export async function writeShardIndex(dir: string, shards: readonly ShardPlan[]): Promise<string | null> {
  if (shards.length <= 1) return null;
  const weight_map: Record<string, string> = {};
  let total = 0;
  for (const s of shards) {
    total += s.dataBytes;
    for (const t of s.tensors) weight_map[t.name] = s.file;
  }
  const file = 'model.safetensors.index.json';
  await writeFile(join(dir, file), `${JSON.stringify({ metadata: { total_size: total }, weight_map }, null, 2)}\n`);
  return file;
}

/** "5GB", "500MB", "2GiB", or a number of bytes. transformers counts GB as 10^9 and GiB as 2^30. */
export function parseShardSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?\s*$/i.exec(text);
  if (!m) throw new Error(`“${text}” is not a size: write e.g. 5GB, 500MB or 2GiB.`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'B').toLowerCase();
  const mult: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };
  return Math.floor(n * mult[unit]!);
}
