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

    const out = join(dir, 'train.ltok');
    const t = await svc.tokenize({ modelPath: MODEL, datasetFile: file, outFile: out, options: { cutoffLen: 32, trainOnPrompt: false, maskHistory: false, enableThinking: true } });
    expect(t.records).toBe(3);
    expect(decodeLtok(readFileSync(out)).offsets.length).toBe(4);
  });

  it('warns when a plain template is chosen for an instruct model', async () => {
    const res = await svc.dataset({ modelPath: MODEL, template: 'default', records: [{ kind: 'single', instruction: 'a', output: 'b' }] });
    expect(res.warnings.join(' ')).toMatch(/instruct model/);
  });
});

describe('stats', () => {
  it('bins lengths at powers of two up to the cutoff', () => {
    expect(histogramEdges(100)).toEqual([0, 16, 32, 64, 100]);
    const s = datasetStats([{ length: 10, trainable: 5, truncated: false }, { length: 100, trainable: 50, truncated: true }, { length: 40, trainable: 1, truncated: false }], 0, 100, 1, 2);
    expect(s.histogram.counts).toEqual([1, 0, 1, 1]);
    expect(s.totalTokens).toBe(150);
    expect(s.trainableTokens).toBe(56);
    expect(s.truncatedShare).toBeCloseTo(1 / 3);
    expect(s.stepsPerEpoch).toBe(2);
    expect(s.p50Length).toBe(40);
  });
});
