import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summariseSafetensors } from './safetensors-header.js';
import { f32ToBf16Bytes, writeSafetensors } from './safetensors-writer.js';

describe('safetensors writer', () => {
  it('round-trips through the header reader', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lathe-st-'));
    writeSafetensors(join(dir, 'model.safetensors'), [
      { name: 'b', dtype: 'F32', shape: [2, 3], data: new Uint8Array(24) },
      { name: 'a', dtype: 'BF16', shape: [5], data: new Uint8Array(10) },
    ], { format: 'pt' });
    const s = await summariseSafetensors(dir);
    expect(s.parameters).toBe(11);
    expect(s.dtype).toBe('F32');
    expect(s.bytes).toBe(34);
    expect(s.tensors.map((t) => t.name)).toEqual(['a', 'b']);
  });

  it('rounds f32 to bf16 to nearest even', () => {
    const v = new Float32Array([1, -2, 1.00390625, 1.01171875, 3.4e38]);
    const b = new Uint16Array(f32ToBf16Bytes(v).buffer);
    // 1.00390625 is exactly halfway between bf16 1.0 and 1.0078125 → even (1.0); 1.01171875 → 1.015625.
    expect([...b]).toEqual([0x3f80, 0xc000, 0x3f80, 0x3f82, 0x7f80]);
  });
});

describe('sharded checkpoints', () => {
  it('sums parameters over the shards named by model.safetensors.index.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lathe-shards-'));
    writeSafetensors(join(dir, 'model-00001-of-00002.safetensors'), [{ name: 'a', dtype: 'BF16', shape: [4, 4], data: new Uint8Array(32) }]);
    writeSafetensors(join(dir, 'model-00002-of-00002.safetensors'), [{ name: 'b', dtype: 'BF16', shape: [8], data: new Uint8Array(16) }]);
    writeFileSync(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: { total_size: 48 }, weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' } }),
    );
    const s = await summariseSafetensors(dir);
    expect(s.files).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(s.parameters).toBe(24);
    expect(s.dtype).toBe('BF16');
  });
});
