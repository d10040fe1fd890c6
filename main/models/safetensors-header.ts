// Reads safetensors headers (single file or sharded with `model.safetensors.index.json`) to count parameters
// and name the dtype. Never reads tensor data: only the 8-byte length and the JSON header of each file.
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';

export interface TensorInfo {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly file: string;
}

export interface SafetensorsSummary {
  readonly files: readonly string[];
  readonly tensors: readonly TensorInfo[];
  readonly parameters: number;
  /** The dtype holding the most parameters (e.g. 'BF16'); '' when there are no tensors. */
  readonly dtype: string;
  readonly bytes: number;
}

/** Bytes per element for safetensors dtype names (the spec's list). */
export const DTYPE_BYTES: Readonly<Record<string, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, U16: 2, U32: 4, U64: 8, BOOL: 1,
  F8_E4M3: 1, F8_E5M2: 1,
};

/** Largest header we accept; the spec caps headers at 100 MB. */
const MAX_HEADER = 100_000_000;

export async function readSafetensorsHeader(path: string): Promise<Record<string, unknown>> {
  const fh = await open(path, 'r');
  try {
    const lenBuf = Buffer.alloc(8);
    await fh.read(lenBuf, 0, 8, 0);
    const len = Number(lenBuf.readBigUInt64LE(0));
    const size = (await fh.stat()).size;
    if (len <= 0 || len > MAX_HEADER || 8 + len > size) {
      throw new LatheError('bad_input', `${path} is not a safetensors file (header length ${len}).`, { path });
    }
    const json = Buffer.alloc(len);
    await fh.read(json, 0, len, 8);
    try {
      return JSON.parse(json.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new LatheError('bad_input', `${path} has an unreadable safetensors header.`, { path });
    }
  } finally {
    await fh.close();
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Which safetensors files hold the weights of a model folder: the index's shards, else `model.safetensors`. */
export async function listWeightFiles(dir: string): Promise<string[]> {
  const indexPath = join(dir, 'model.safetensors.index.json');
  if (await exists(indexPath)) {
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as { weight_map?: Record<string, string> };
    const files = [...new Set(Object.values(index.weight_map ?? {}))].sort();
    if (files.length === 0) throw new LatheError('bad_input', `${indexPath} has an empty weight_map.`, { path: indexPath });
    return files;
  }
  if (await exists(join(dir, 'model.safetensors'))) return ['model.safetensors'];
  return [];
}

export async function summariseSafetensors(dir: string): Promise<SafetensorsSummary> {
  const files = await listWeightFiles(dir);
  const tensors: TensorInfo[] = [];
  let bytes = 0;
  const perDtype = new Map<string, number>();
  let parameters = 0;
  for (const file of files) {
    const path = join(dir, file);
    if (!(await exists(path))) throw new LatheError('bad_input', `Missing weight shard ${file} in ${dir}.`, { path });
    const header = await readSafetensorsHeader(path);
    for (const [name, info] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const t = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
      const n = t.shape.reduce((a, b) => a * b, 1);
      parameters += n;
      bytes += t.data_offsets[1] - t.data_offsets[0];
      perDtype.set(t.dtype, (perDtype.get(t.dtype) ?? 0) + n);
      tensors.push({ name, dtype: t.dtype, shape: t.shape, file });
    }
  }
  let dtype = '';
  let best = -1;
  for (const [d, n] of perDtype) if (n > best) [dtype, best] = [d, n];
  return { files, tensors, parameters, dtype, bytes };
}
