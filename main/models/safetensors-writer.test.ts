import { mkdtempSync } from 'node:fs';
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
