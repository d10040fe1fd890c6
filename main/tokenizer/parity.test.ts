// Parity with the Python `tokenizers` library: fixtures made by test/reference/tokenizer_fixture.py on the GPU
// machine (tokenizers 0.23.2). Each style's tokenizer.json and its ids for a mixed corpus; ours must be identical.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Tokenizer, type TokenizerJson } from './tokenizer.js';

interface Fixture {
  style: string;
  tokenizer: TokenizerJson;
  cases: { text: string; ids: number[]; ids_special: number[]; decoded: string }[];
  chat?: { messages: { role: string; content: string }[]; text: string; generation_prompt: string }[];
  transformers_ids?: number[][];
}

const STYLES = ['qwen2', 'llama3', 'llama2', 'metaspace', 'tiny'] as const;

function load(style: string): Fixture {
  return JSON.parse(readFileSync(`test/fixtures/tokenizer/${style}.json`, 'utf8')) as Fixture;
}

describe.each(STYLES)('parity with Python tokenizers: %s', (style) => {
  const fx = load(style);
  const tok = new Tokenizer(fx.tokenizer);

  it('has a corpus with every kind of text', () => {
    expect(fx.cases.length).toBeGreaterThanOrEqual(30);
    expect(fx.cases.some((c) => /\p{Script=Han}/u.test(c.text))).toBe(true);
    expect(fx.cases.some((c) => /\p{Extended_Pictographic}/u.test(c.text))).toBe(true);
  });

  it.each(fx.cases.map((c, i) => [i, c] as const))('case %i: ids without special tokens', (_i, c) => {
    expect(tok.encode(c.text)).toEqual(c.ids);
  });

  it('ids with the post-processor (add_special_tokens=True)', () => {
    for (const c of fx.cases) expect(tok.encode(c.text, { addSpecialTokens: true }), JSON.stringify(c.text)).toEqual(c.ids_special);
  });

  it('token pieces concatenate to the decoded text (byte-level styles)', () => {
    if (!['qwen2', 'llama3', 'tiny'].includes(style)) return;
    for (const c of fx.cases) expect(tok.tokenPieces(c.ids).join(''), JSON.stringify(c.text)).toBe(c.decoded);
  });

  it('decodes like Python', () => {
    for (const c of fx.cases) expect(tok.decode(c.ids), JSON.stringify(c.text)).toBe(c.decoded);
  });
});

describe('tiny model through transformers', () => {
  it('AutoTokenizer gives the same ids as the fast tokenizer', () => {
    const fx = load('tiny');
    expect(fx.transformers_ids).toEqual(fx.cases.map((c) => c.ids));
  });
});
