// HF pre-tokenizers as piece splitters: Split (regex/string, every behaviour), ByteLevel, Metaspace, Digits,
// WhitespaceSplit, Sequence. Each turns a normalized string into the words BPE sees; none tokenizes.
import { LatheError } from '../../preload/contract/errors.js';
import { toByteLevel } from './byte-level.js';
import { compileOnigRegex } from './regex-translate.js';
import { patternRegex } from './normalizer.js';

/** `first`: this piece starts the original input (Metaspace's prepend_scheme "first" needs it). */
export type PreTokenizer = (pieces: string[], first: boolean) => string[];

export interface PreTokenizerJson {
  readonly type: string;
  readonly [k: string]: unknown;
}

/** GPT-2's pattern, used by ByteLevel when use_regex is true. */
export const GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
/** Qwen2/Qwen3's Split pattern. */
export const QWEN2_REGEX =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
/** Llama 3's Split pattern (numbers in groups of up to three). */
export const LLAMA3_REGEX =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

type Behavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';

/** HF's `split` with a SplitDelimiterBehavior over one string, using the regex's non-overlapping matches. */
export function splitBy(s: string, re: RegExp, behavior: Behavior, invert = false): string[] {
  const spans: [number, number, boolean][] = []; // [start, end, isMatch]
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    if (m.index > last) spans.push([last, m.index, invert]);
    spans.push([m.index, m.index + m[0].length, !invert]);
    last = m.index + m[0].length;
  }
  if (last < s.length) spans.push([last, s.length, invert]);
  const out: string[] = [];
  switch (behavior) {
    case 'Isolated':
      for (const [a, b] of spans) out.push(s.slice(a, b));
      break;
    case 'Removed':
      for (const [a, b, m] of spans) if (!m) out.push(s.slice(a, b));
      break;
    case 'MergedWithPrevious': {
      let prevMatch = false;
      for (const [a, b, m] of spans) {
        if (m && !prevMatch && out.length > 0) out[out.length - 1] += s.slice(a, b);
        else out.push(s.slice(a, b));
        prevMatch = m;
      }
      break;
    }
    case 'MergedWithNext': {
      let pending = '';
      for (const [a, b, m] of spans) {
        if (m) {
          if (pending) out.push(pending);
          pending = s.slice(a, b);
        } else {
          out.push(pending + s.slice(a, b));
          pending = '';
        }
      }
      if (pending) out.push(pending);
      break;
    }
    case 'Contiguous': {
      let prevMatch: boolean | null = null;
      for (const [a, b, m] of spans) {
        if (m && prevMatch === true) out[out.length - 1] += s.slice(a, b);
        else out.push(s.slice(a, b));
        prevMatch = m;
      }
      break;
    }
  }
  return out;
}

function each(pieces: string[], f: (p: string) => string[]): string[] {
  const out: string[] = [];
  for (const p of pieces) for (const q of f(p)) out.push(q);
  return out;
}

export function buildPreTokenizer(j: PreTokenizerJson | null | undefined): PreTokenizer | null {
  if (!j) return null;
  switch (j.type) {
    case 'Split': {
      const re = patternRegex(j.pattern as { String?: string; Regex?: string });
      const behavior = j.behavior as Behavior;
      const invert = j.invert === true;
      return (pieces) => each(pieces, (p) => splitBy(p, re, behavior, invert));
    }
    case 'ByteLevel': {
      const prefix = j.add_prefix_space === true;
      const re = j.use_regex !== false ? compileOnigRegex(GPT2_REGEX) : null;
      return (pieces) =>
        each(pieces, (p) => {
          const q = prefix && !p.startsWith(' ') ? ' ' + p : p;
          const words = re ? splitBy(q, re, 'Isolated') : [q];
          return words.map(toByteLevel);
        });
    }
    case 'Metaspace': {
      const rep = String(j.replacement ?? '▁');
      const scheme = (j.prepend_scheme as string | undefined) ?? (j.add_prefix_space === false ? 'never' : 'always');
      const split = j.split !== false;
      const splitRe = new RegExp(rep.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gu');
      return (pieces, first) =>
        each(pieces, (p) => {
          let q = p.replaceAll(' ', rep);
          if ((scheme === 'always' || (scheme === 'first' && first)) && !q.startsWith(rep)) q = rep + q;
          return split ? splitBy(q, splitRe, 'MergedWithNext') : [q];
        });
    }
    case 'Digits': {
      const re = j.individual_digits === true ? /\p{N}/gu : /\p{N}+/gu;
      return (pieces) => each(pieces, (p) => splitBy(p, re, 'Isolated'));
    }
    case 'WhitespaceSplit':
      return (pieces) => each(pieces, (p) => p.split(/\s+/u).filter((w) => w.length > 0));
    case 'Whitespace':
      return (pieces) => each(pieces, (p) => p.match(/\w+|[^\w\s]+/gu) ?? []);
    case 'Sequence': {
      const parts = (j.pretokenizers as PreTokenizerJson[]).map(buildPreTokenizer).filter((x): x is PreTokenizer => x !== null);
      return (pieces, first) => parts.reduce((acc, f) => f(acc, first), pieces);
    }
    default:
      throw new LatheError('unsupported', `Tokenizer pre-tokenizer "${j.type}" is not supported yet.`);
  }
}
