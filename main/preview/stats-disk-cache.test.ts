import fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TurnChunk } from './measure-chunk.js';
import { decodeChunk, encodeChunk, StatsDiskCache } from './stats-disk-cache.js';

const chunk = (seed: number, n = 50): TurnChunk => ({
  index: Int32Array.from({ length: n }, (_, i) => seed * 1000 + i),
  turnEnd: Int32Array.from({ length: n }, (_, i) => i + 1),
  src: Int32Array.from({ length: n }, (_, i) => (i * 7 + seed) % 300),
  tgt: Int32Array.from({ length: n }, (_, i) => (i * 13 + seed) % 900),
  skipped: seed % 3,
});
const key = (i: number) => i.toString(16).padStart(64, '0');

describe('statistics cache files', () => {
  it('round-trip a chunk and refuse a truncated or altered one', () => {
    const c = chunk(4);
    const buf = encodeChunk(c);
    expect(decodeChunk(buf)).toEqual(c);
    expect(decodeChunk(buf.subarray(0, buf.length - 4))).toBeUndefined();
    const altered = Buffer.from(buf);
    altered[40]! ^= 1;
    expect(decodeChunk(altered)).toBeUndefined();
    expect(decodeChunk(Buffer.alloc(0))).toBeUndefined();
  });

  it('survive a restart; a file from a killed write is ignored and its leftover removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lathe-statscache-'));
    const a = new StatsDiskCache(dir);
    a.write(key(1), chunk(1));
    a.write(key(2), chunk(2));
    a.writePass('dataset 7 rev 3', [key(1), key(2)]);
    await a.flush();
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // A write killed before its rename leaves a temporary file; one killed at an unlucky moment without rename
    // semantics (a torn file under the final name) is refused by its length and digest.
    const full = encodeChunk(chunk(3));
    const leftover = join(dir, `${key(3)}.tc.4242.abcd1234.tmp`);
    fs.writeFileSync(leftover, full);
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(leftover, old, old);
    fs.writeFileSync(join(dir, `${key(4)}.tc`), full.subarray(0, full.length >> 1));

    const b = new StatsDiskCache(dir);
    expect(await b.read(key(1))).toEqual(chunk(1));
    expect(await b.readPass('dataset 7 rev 3')).toEqual([key(1), key(2)]);
    expect(await b.readPass('dataset 7 rev 4')).toBeUndefined();
    expect(await b.read(key(3))).toBeUndefined();
    expect(await b.read(key(4))).toBeUndefined();
    expect(fs.existsSync(leftover)).toBe(false);
    expect(await b.read('../../etc/passwd')).toBeUndefined();
  });

  it('stay under their size bound, dropping the least recently used first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lathe-statscache-'));
    const one = encodeChunk(chunk(0)).length;
    const c = new StatsDiskCache(dir, one * 5);
    c.write(key(0), chunk(0));
    await c.flush();
    for (let i = 1; i < 12; i++) {
      c.write(key(i), chunk(i));
      // Chunk 0 stays in use.
      await c.flush();
      expect(await c.read(key(0))).toEqual(chunk(0));
    }
    await c.flush();
    expect(await c.size()).toBeLessThanOrEqual(one * 5);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.tc'));
    expect(files.length).toBeLessThanOrEqual(5);
    expect(files).toContain(`${key(0)}.tc`);
    expect(files).toContain(`${key(11)}.tc`);
    expect(files).not.toContain(`${key(1)}.tc`);
    expect(path.basename(dir)).toMatch(/lathe-statscache-/);
  });
});
