import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import { openEncodingSession } from '../preview/encoding-session.js';
import { DEFAULT_ENCODER_OPTIONS, IGNORE_INDEX } from '../templates/record-encoder.js';
import { decodeLtok, encodeLtok, writeLtokFile } from './ltok-format.js';
import { tokenizeDataset } from './tokenize-dataset.js';

const MODEL = 'data/models/lathe-tiny-llama';
const records: NormalisedRecord[] = Array.from({ length: 25 }, (_, i) =>
  i === 7
    ? { kind: 'conversation', messages: [{ role: 'user', content: 'no answer' }] }
    : { kind: 'single', instruction: `Question ${i}: 账户 ${'x'.repeat(i)}`, output: `Answer ${i} 😀` },
);

describe('tokenized dataset file', () => {
  it('writes the documented format, skips invalid records, and is byte-identical and cached on repeat', async () => {
    const s = await openEncodingSession(MODEL, 'chatml');
    const dir = mkdtempSync(join(tmpdir(), 'lathe-ltok-'));
    const setup = { tokenizerPath: s.tokenizerPath, template: s.template, special: s.special, options: { ...DEFAULT_ENCODER_OPTIONS, cutoffLen: 32 } };
    const progress: number[] = [];
    const job = { records, tokenizer: s.tokenizer, tokenizerSha256: s.tokenizerSha256, setup, cacheDir: join(dir, 'cache'), chunkSize: 4 };
    const a = await tokenizeDataset({ ...job, outFile: join(dir, 'a.ltok'), onProgress: (d) => progress.push(d) });
    expect(a.cached).toBe(false);
    expect(a.records).toBe(24);
    expect(a.skipped.map((x) => x.index)).toEqual([7]);
    expect(progress[progress.length - 1]).toBe(25);

    const buf = readFileSync(a.outFile);
    const f = decodeLtok(buf);
    expect(f.tokenBytes).toBe(2);
    expect(f.vocabSize).toBe(4096);
    expect(f.offsets.length).toBe(25);
    // Record 0 in the file equals the encoder's ids, mask = label is not -100.
    const e = s.encoder.encode(records[0]!, setup.options);
    if (!e.ok) throw new Error('encode');
    expect([...f.tokens.slice(0, f.offsets[1])]).toEqual(e.inputIds);
    expect([...f.mask.slice(0, f.offsets[1])]).toEqual(e.labels.map((l) => (l === IGNORE_INDEX ? 0 : 1)));
    expect(Math.max(...f.offsets.slice(1).map((o, i) => o - f.offsets[i]!))).toBeLessThanOrEqual(32);
    expect(a.trainableTokens).toBe([...f.mask].filter((m) => m === 1).length);

    const b = await tokenizeDataset({ ...job, outFile: join(dir, 'b.ltok') });
    expect(b.cached).toBe(true);
    expect(readFileSync(b.outFile).equals(buf)).toBe(true);
    const c = await tokenizeDataset({ ...job, cacheDir: undefined, outFile: join(dir, 'c.ltok') });
    expect(readFileSync(c.outFile).equals(buf)).toBe(true);
    expect(c.cacheKey).toBe(a.cacheKey);
    const d = await tokenizeDataset({ ...job, cacheDir: undefined, outFile: join(dir, 'd.ltok'), setup: { ...setup, options: { ...setup.options, cutoffLen: 64 } } });
    expect(d.cacheKey).not.toBe(a.cacheKey);
  });

  it('the streaming writer and the in-memory encoder give the same bytes; the reader catches corruption', () => {
    const recs = [{ ids: [1, 2, 3], mask: [0, 1, 1] }, { ids: [], mask: [] }, { ids: [70000], mask: [1] }];
    const buf = encodeLtok(recs, 70001);
    const f = decodeLtok(buf);
    expect(f.tokenBytes).toBe(4);
    expect([...f.tokens]).toEqual([1, 2, 3, 70000]);
    expect(f.offsets).toEqual([0, 3, 3, 4]);
    const dir = mkdtempSync(join(tmpdir(), 'lathe-ltok-'));
    writeLtokFile(join(dir, 'x.ltok'), [
      { lengths: Int32Array.from([3, 0]), ids: Uint32Array.from([1, 2, 3]), mask: Uint8Array.from([0, 1, 1]) },
      { lengths: Int32Array.from([1]), ids: Uint32Array.from([70000]), mask: Uint8Array.from([1]) },
    ], 70001);
    expect(readFileSync(join(dir, 'x.ltok')).equals(buf)).toBe(true);
    const bad = Buffer.from(buf);
    bad[bad.length - 1] ^= 1;
    expect(() => decodeLtok(bad)).toThrow(/checksum/);
  });
});
