import { describe, expect, it } from 'vitest';
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import { IGNORE_INDEX } from '../templates/record-encoder.js';
import { openEncodingSession } from './encoding-session.js';
import { measureChunk } from './measure-chunk.js';
import { layoutChunk } from './turn-layout.js';

const MODEL = 'data/models/lathe-tiny-llama';
const long = (w: string, n: number) => `${w} `.repeat(n).trim();
const records: NormalisedRecord[] = [
  { kind: 'single', instruction: 'Hi', output: 'Hello!' },
  { kind: 'single', instruction: long('question', 40), input: 'context', output: long('answer', 90), system: 'Be brief.' },
  { kind: 'single', instruction: long('很长的问题', 30), output: 'ok' },
  {
    kind: 'conversation',
    messages: [
      { role: 'user', content: long('first', 25) },
      { role: 'assistant', content: long('reply', 35) },
      { role: 'user', content: long('second', 10) },
      { role: 'assistant', content: long('again', 60) },
      { role: 'user', content: 'third' },
      { role: 'assistant', content: long('last', 20) },
    ],
  },
  { kind: 'conversation', messages: [{ role: 'user', content: 'no answer' }] },
  { kind: 'text', text: long('plain pre-training text', 30) },
];

describe('turn layout', () => {
  for (const template of ['chatml', 'breeze', 'alpaca']) {
    it(`gives encode()'s length, length before the cutoff and trained tokens (${template})`, async () => {
      const s = await openEncodingSession(MODEL, template);
      const efficientEos = s.template.kind === 'spec' && !!s.template.spec.efficientEos;
      expect(efficientEos).toBe(template === 'breeze');
      let compared = 0;
      for (const maskHistory of [false, true]) {
        const base = { cutoffLen: 4096, trainOnPrompt: false, maskHistory, enableThinking: true };
        const turns = measureChunk(s.encoder, base, { indexes: Int32Array.from(records, (_, i) => i), texts: records.map((r) => JSON.stringify(r)) });
        expect(turns.skipped).toBe(1);
        for (const trainOnPrompt of efficientEos ? [false] : [false, true]) {
          for (const cutoffLen of [1, 2, 7, 16, 33, 64, 100, 257, 4096]) {
            const o = { ...base, cutoffLen, trainOnPrompt };
            const laid = layoutChunk(turns, { ...o, efficientEos, hasEos: s.encoder.eosId !== null });
            laid.index.forEach((idx, k) => {
              const e = s.encoder.encode(records[idx]!, o);
              if (!e.ok) throw new Error('expected an encodable record');
              const want = [e.inputIds.length, e.fullLength, e.labels.filter((l) => l !== IGNORE_INDEX).length];
              expect([laid.length[k], laid.full[k], laid.trainable[k]], `record ${idx} ${JSON.stringify(o)}`).toEqual(want);
              compared++;
            });
          }
        }
      }
      expect(compared).toBeGreaterThan(80);
    });
  }
});
