// Trains a byte-level BPE vocabulary (Qwen2-style pre-tokenizer) and writes it as a HF tokenizer.json.
// Deterministic: the most frequent pair wins, ties broken by the lower (left, right) ids. Not HF's trainer.
import { BYTE_TO_CHAR } from './byte-level.js';
import { QWEN2_REGEX, splitBy } from './pre-tokenizer.js';
import { compileOnigRegex } from './regex-translate.js';
import type { TokenizerJson } from './tokenizer.js';
import { toByteLevel } from './byte-level.js';

export interface TrainOptions {
  readonly texts: Iterable<string>;
  /** Vocabulary size including the 256 byte symbols and the special tokens. */
  readonly vocabSize: number;
  readonly minFrequency?: number;
  readonly specialTokens?: readonly string[];
  readonly splitRegex?: string;
}

const K = 2097152;

/** A max-heap of [count, key] with lazy deletion: entries whose count is stale are skipped on pop. */
class PairHeap {
  private readonly h: [number, number][] = [];
  private better(a: [number, number], b: [number, number]): boolean {
    return a[0] > b[0] || (a[0] === b[0] && a[1] < b[1]);
  }
  push(e: [number, number]): void {
    const h = this.h;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.better(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): [number, number] | undefined {
    const h = this.h;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.better(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.better(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

export function trainByteLevelBpe(o: TrainOptions): TokenizerJson {
  const regexSrc = o.splitRegex ?? QWEN2_REGEX;
  const re = compileOnigRegex(regexSrc);
  const specials = o.specialTokens ?? [];
  const minFreq = o.minFrequency ?? 2;
  const target = o.vocabSize - specials.length;

  const wordCounts = new Map<string, number>();
  for (const text of o.texts) {
    for (const piece of splitBy(text.normalize('NFC'), re, 'Isolated')) {
      const w = toByteLevel(piece);
      wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
    }
  }
  // Alphabet: the 256 byte symbols in byte order, so every text stays encodable.
  const tokens: string[] = BYTE_TO_CHAR.slice();
  const ids = new Map(tokens.map((t, i) => [t, i]));
  const words: number[][] = [];
  const counts: number[] = [];
  for (const [w, c] of [...wordCounts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    words.push(Array.from(w, (ch) => ids.get(ch)!));
    counts.push(c);
  }
  const pairCount = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const addWord = (wi: number, sign: number) => {
    const w = words[wi]!;
    for (let i = 0; i + 1 < w.length; i++) {
      const key = w[i]! * K + w[i + 1]!;
      pairCount.set(key, (pairCount.get(key) ?? 0) + sign * counts[wi]!);
      if (sign > 0) {
        let s = where.get(key);
        if (!s) where.set(key, (s = new Set()));
        s.add(wi);
      }
    }
  };
  for (let wi = 0; wi < words.length; wi++) addWord(wi, 1);
  const heap = new PairHeap();
  for (const [key, c] of pairCount) heap.push([c, key]);

  const merges: [string, string][] = [];
  while (tokens.length < target) {
    const top = heap.pop();
    if (!top) break;
    const [c, key] = top;
    if (pairCount.get(key) !== c || c <= 0) continue;
    if (c < minFreq) break;
    const a = Math.floor(key / K);
    const b = key % K;
    const merged = tokens[a]! + tokens[b]!;
    let newId = ids.get(merged);
    if (newId === undefined) {
      newId = tokens.length;
      tokens.push(merged);
      ids.set(merged, newId);
    }
    merges.push([tokens[a]!, tokens[b]!]);
    const touched = new Set<number>();
    for (const wi of where.get(key) ?? []) {
      const w = words[wi]!;
      // Pairs whose count falls need a fresh heap entry too: their old one is stale and will be skipped.
      for (let i = 0; i + 1 < w.length; i++) touched.add(w[i]! * K + w[i + 1]!);
      addWord(wi, -1);
      const out: number[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === a && w[i + 1] === b) {
          out.push(newId);
          i++;
        } else out.push(w[i]!);
      }
      words[wi] = out;
      addWord(wi, 1);
      for (let i = 0; i + 1 < out.length; i++) touched.add(out[i]! * K + out[i + 1]!);
    }
    pairCount.delete(key);
    where.delete(key);
    for (const t of touched) {
      const n = pairCount.get(t) ?? 0;
      if (n > 0) heap.push([n, t]);
    }
  }

  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => (vocab[t] = i));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  return {
    added_tokens: specials.map((content, i) => ({
      id: tokens.length + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: { type: 'NFC' },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [{ type: 'Split', pattern: { Regex: regexSrc }, behavior: 'Isolated', invert: false }, byteLevel],
    },
    post_processor: byteLevel,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges,
    },
  } as TokenizerJson;
}

/** The full tokenizer.json document (with HF's top-level fields) as written to disk. */
export function tokenizerJsonDocument(t: TokenizerJson): string {
  return JSON.stringify({ version: '1.0', truncation: null, padding: null, ...t }, null, 2) + '\n';
}
