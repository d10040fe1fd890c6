import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeLtok } from '../tokenizer/ltok-format.js';
import { readFileSync } from 'node:fs';
import { PreviewService } from './preview-service.js';
import { datasetStats, histogramEdges } from './preview-stats.js';

const MODEL = 'data/models/lathe-tiny-llama';
const svc = new PreviewService({ userTemplates: () => [] });

describe('preview service', () => {
  it('previews one record with spans, ids, labels and token texts', async () => {
    const p = await svc.record({ modelPath: MODEL, record: { kind: 'single', instruction: '你好', output: 'Hello!' } });
    expect(p.ok).toBe(true);
    expect(p.text).toBe('<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n');
    expect(p.segments.map((s) => [s.text, s.trained])).toEqual([
      ['<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n', false],
      ['Hello!<|im_end|>\n', true],
    ]);
    expect(p.tokens.join('')).toBe(p.text);
    expect(p.tokens.length).toBe(p.input_ids.length);
    expect(p.trainableCount).toBe(p.labels.filter((l) => l !== -100).length);
  });

  it('proposes the model template (chatml for the tiny model) and previews a dataset file with stats', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lathe-preview-'));
    const file = join(dir, 'data.jsonl');
    const rows = [
      { instruction: 'Reset my password', output: 'Use the link we sent.' },
      { conversations: [{ from: 'human', value: 'hi' }, { from: 'gpt', value: 'hello '.repeat(40) }] },
      { messages: [{ role: 'user', content: 'only a question' }] },
      { text: 'plain pre-training text' },
    ];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    const res = await svc.dataset({ modelPath: MODEL, datasetFile: file, rows: 2, options: { cutoffLen: 32, trainOnPrompt: false, maskHistory: false, enableThinking: true }, batchSize: 2 });
    expect(res.template).toBe('chatml');
    expect(res.records.length).toBe(2);
    expect(res.records[1]!.truncated).toBe(true);
    expect(res.records[1]!.tokenCount).toBe(32);
    expect(res.stats.records).toBe(3);
    expect(res.stats.skipped).toBe(1);
    expect(res.stats.truncated).toBe(1);
    expect(res.stats.stepsPerEpoch).toBe(2);
    expect(res.stats.histogram.counts.reduce((a, b) => a + b, 0)).toBe(3);
    // The truncated record lies past the cutoff edge; it is the longest, reported by its position in the file.
    expect(res.stats.histogram.edges).toEqual([0, 16, 32, 64, 128]);
    expect(res.stats.histogram.counts[3]).toBe(1);
    expect(res.stats.maxFullLength).toBeGreaterThan(64);
    expect(res.stats.longest[0]).toMatchObject({ index: 1, tokenCount: 32 });
    expect(res.stats.longest[0]!.fullLength).toBe(res.stats.maxFullLength);
    expect(res.stats.longest.map((l) => l.index)).not.toContain(2);

    const out = join(dir, 'train.ltok');
    const t = await svc.tokenize({ modelPath: MODEL, datasetFile: file, outFile: out, options: { cutoffLen: 32, trainOnPrompt: false, maskHistory: false, enableThinking: true } });
    expect(t.records).toBe(3);
    expect(decodeLtok(readFileSync(out)).offsets.length).toBe(4);
  });

  it('needs a record or a stored dataset to preview one record', async () => {
    await expect(svc.record({ modelPath: MODEL })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(svc.record({ modelPath: MODEL, datasetId: 3, index: 0 })).rejects.toMatchObject({ code: 'unsupported' });
    expect(await svc.cancel({ jobId: 'none' })).toEqual({ cancelled: false });
  });

  it('warns when a plain template is chosen for an instruct model', async () => {
    const res = await svc.dataset({ modelPath: MODEL, template: 'default', records: [{ kind: 'single', instruction: 'a', output: 'b' }] });
    expect(res.warnings.map((w) => w.message).join(' ')).toMatch(/instruct model/);
    expect(res.warnings[0]?.code).toBe('template.plainOnInstructModel');
  });
});

const chunk = (rows: [index: number, length: number, full: number, trainable: number][], skipped = 0) => ({
  index: Int32Array.from(rows, (r) => r[0]),
  length: Int32Array.from(rows, (r) => r[1]),
  full: Int32Array.from(rows, (r) => r[2]),
  trainable: Int32Array.from(rows, (r) => r[3]),
  skipped,
});

describe('stats', () => {
  it('bins lengths before truncation at powers of two up to the cutoff, then 2× and 4× the cutoff', () => {
    expect(histogramEdges(100)).toEqual([0, 16, 32, 64, 100]);
    expect(histogramEdges(100, 100)).toEqual([0, 16, 32, 64, 100]);
    expect(histogramEdges(100, 150)).toEqual([0, 16, 32, 64, 100, 200]);
    expect(histogramEdges(100, 9000)).toEqual([0, 16, 32, 64, 100, 200, 400]);
    const s = datasetStats([chunk([[0, 10, 10, 5], [1, 100, 250, 50]], 2), chunk([[7, 40, 40, 1], [9, 100, 9000, 60]])], 100, 1, 2);
    expect(s.histogram.edges).toEqual([0, 16, 32, 64, 100, 200, 400]);
    expect(s.histogram.counts).toEqual([1, 0, 1, 0, 0, 2]);
    expect(s.records).toBe(4);
    expect(s.skipped).toBe(2);
    expect(s.totalTokens).toBe(250);
    expect(s.trainableTokens).toBe(116);
    expect(s.truncated).toBe(2);
    expect(s.truncatedShare).toBe(0.5);
    expect(s.stepsPerEpoch).toBe(2);
    expect(s.p50Length).toBe(40);
    expect(s.maxLength).toBe(100);
    expect(s.maxFullLength).toBe(9000);
    expect(s.longest).toEqual([
      { index: 9, fullLength: 9000, tokenCount: 100 },
      { index: 1, fullLength: 250, tokenCount: 100 },
      { index: 7, fullLength: 40, tokenCount: 40 },
      { index: 0, fullLength: 10, tokenCount: 10 },
    ]);
  });

  it('keeps the ten longest, ties by the lower index', () => {
    const rows = Array.from({ length: 50 }, (_, i) => [i, i % 7, i % 7, 0] as [number, number, number, number]);
    const s = datasetStats([chunk(rows.slice(0, 25)), chunk(rows.slice(25))], 1000, 1, 1);
    expect(s.longest.map((l) => l.index)).toEqual([6, 13, 20, 27, 34, 41, 48, 5, 12, 19]);
    expect(datasetStats([], 64, 1, 1)).toMatchObject({ records: 0, truncatedShare: 0, maxLength: 0, longest: [], stepsPerEpoch: 0 });
  });

  it('gives the nearest-rank percentiles sorting would give', () => {
    let seed = 7;
    const next = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (const n of [1, 2, 3, 10, 101, 2500]) {
      const rows = Array.from({ length: n }, (_, i) => {
        const len = Math.floor(next() ** 3 * 512);
        return [i, len, len + Math.floor(next() * 10), 0] as [number, number, number, number];
      });
      const s = datasetStats([chunk(rows.slice(0, n >> 1)), chunk(rows.slice(n >> 1))], 512, 1, 1);
      const sorted = rows.map((r) => r[1]).sort((a, b) => a - b);
      const rank = (p: number) => sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)];
      expect([s.p50Length, s.p95Length, s.maxLength]).toEqual([rank(50), rank(95), sorted[n - 1]]);
    }
  });
});
