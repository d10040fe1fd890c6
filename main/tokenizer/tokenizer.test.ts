import { readFileSync } from 'node:fs';
import { Tokenizer as HfJsTokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { Tokenizer, type TokenizerJson } from './tokenizer.js';
import { translateOnigRegex } from './regex-translate.js';
import { splitBy } from './pre-tokenizer.js';

const TINY = 'data/models/lathe-tiny-llama/';
const tinyJson = JSON.parse(readFileSync(TINY + 'tokenizer.json', 'utf8')) as TokenizerJson;

const SAMPLES = [
  'Hello world! How are you today?',
  '你好，世界。我的账户无法登录，请帮忙看看。',
  '<|im_start|>user\nWhy does 3.14159 * 2 = 6.28318?<|im_end|>\n<|im_start|>assistant\n',
  "def f(x):\n    return x ** 2  # it's squared\n\n\n\tprint(f(3))",
  'Emoji: 😀👍🏽 🇩🇪 — “quotes” and naïve café',
  "I'LL DO IT, she'd said; they're   spaced\u00a0out\u3000here",
  '',
  ' ',
  '<|im_end|><|im_end|>text<|endoftext|>',
];

describe('tokenizer (tiny model, byte-level BPE)', () => {
  const ours = new Tokenizer(tinyJson);
  const tc = JSON.parse(readFileSync(TINY + 'tokenizer_config.json', 'utf8')) as object;
  const theirs = new HfJsTokenizer(tinyJson, tc);

  it('agrees with @huggingface/tokenizers on sample texts', () => {
    for (const s of SAMPLES) expect(ours.encode(s), JSON.stringify(s)).toEqual(theirs.encode(s, { add_special_tokens: false }).ids);
  });

  it('round-trips text through decode', () => {
    for (const s of SAMPLES) expect(ours.decode(ours.encode(s))).toBe(s.normalize('NFC'));
  });

  it('keeps special tokens whole and can skip them when decoding', () => {
    const ids = ours.encode('<|im_start|>hi<|im_end|>');
    expect(ids[0]).toBe(ours.tokenToId('<|im_start|>'));
    expect(ids[ids.length - 1]).toBe(ours.tokenToId('<|im_end|>'));
    expect(ours.decode(ids, { skipSpecialTokens: true })).toBe('hi');
    expect(ours.vocabSize).toBe(4096);
  });
});

describe('regex translation', () => {
  it('expands inline case-insensitive groups and Oniguruma \\s', () => {
    const re = new RegExp(translateOnigRegex("(?i:'s|'ll)|\\s+(?!\\S)|\\s+"), 'gu');
    expect(splitBy("IT'S x'LL", re, 'Isolated')).toEqual(['IT', "'S", ' ', 'x', "'LL"]);
    // U+0085 is whitespace for Oniguruma, U+FEFF is not.
    expect(splitBy('a\u0085b\ufeff', re, 'Isolated')).toEqual(['a', '\u0085', 'b\ufeff']);
  });
});
