import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprint } from './file-fingerprint.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lathe-fp-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('fingerprint', () => {
  it('gives the same digest for a large file (hashed on its own thread) as for its bytes, and stops when aborted', async () => {
    const bytes = crypto.randomBytes((17 << 20) + 12345);
    const f = path.join(dir, 'big.bin');
    fs.writeFileSync(f, bytes);
    const want = crypto.createHash('sha256').update(bytes).digest('hex');
    expect(await fingerprint(f)).toEqual({ sha256: want, size: bytes.length, name: 'big.bin' });
    let chunks = 0;
    expect((await fingerprint(f, undefined, () => chunks++)).sha256).toBe(want);
    expect(chunks).toBeGreaterThan(16);
    const stop = new AbortController();
    const p = fingerprint(f, stop.signal);
    stop.abort();
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    await expect(fingerprint(path.join(dir, 'missing.bin'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
