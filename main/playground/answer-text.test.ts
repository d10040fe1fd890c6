// Streaming answer text: stable pieces only, stop words ending the answer, stop tokens out of the text.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultModelPath } from '../models/default-model.js';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import { AnswerText } from './answer-text.js';

let tok: Tokenizer;
beforeAll(async () => {
  tok = await Tokenizer.fromFile(path.join(defaultModelPath(), 'tokenizer.json'));
});

function stream(a: AnswerText, ids: number[]): string {
  let out = '';
  for (const id of ids) out += a.push([id]);
  return out + a.flush();
}

describe('AnswerText', () => {
  it('streams pieces that concatenate to the decoded answer', () => {
    const ids = tok.encode('Hello there, how are you today? Ünïcödé ✓');
    const a = new AnswerText(tok, new Set([4095]), []);
    expect(stream(a, ids)).toBe(tok.decode(ids));
    expect(a.text).toBe(tok.decode(ids));
  });
  it('never emits half a character', () => {
    const ids = tok.encode('✓✓');
    const a = new AnswerText(tok, new Set(), []);
    for (const id of ids) expect(a.push([id])).not.toContain('\uFFFD');
  });
  it('leaves stop tokens out of the text', () => {
    const ids = [...tok.encode('Yes.'), 4095];
    const a = new AnswerText(tok, new Set([4095]), []);
    expect(stream(a, ids)).toBe('Yes.');
  });
  it('ends at a stop string spread over several tokens, holding back its prefix', () => {
    const ids = tok.encode('The answer is 42.\nUser: next question');
    const a = new AnswerText(tok, new Set(), ['\nUser:']);
    let out = '';
    for (const id of ids) {
      out += a.push([id]);
      if (a.stopped) break;
      expect(out.endsWith('\n')).toBe(false);
    }
    expect(a.stopped).toBe(true);
    expect(out + a.flush()).toBe('The answer is 42.');
    expect(a.text).toBe('The answer is 42.');
  });
});
