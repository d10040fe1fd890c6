// The normalizers of HF tokenizer.json that the supported model families use (NFC & co, Prepend, Replace,
// Lowercase, Strip, Sequence), as string → string functions. No offsets: Lathe aligns by segment, not char.
import { LatheError } from '../../preload/contract/errors.js';
import { compileOnigRegex, escapeRegex } from './regex-translate.js';

export type Normalizer = (s: string) => string;

export interface NormalizerJson {
  readonly type: string;
  readonly [k: string]: unknown;
}

type Pattern = { String?: string; Regex?: string };

export function patternRegex(p: Pattern): RegExp {
  if (typeof p.String === 'string') return new RegExp(escapeRegex(p.String), 'gu');
  if (typeof p.Regex === 'string') return compileOnigRegex(p.Regex);
  throw new LatheError('unsupported', `Unknown pattern in tokenizer.json: ${JSON.stringify(p)}`);
}

export function buildNormalizer(j: NormalizerJson | null | undefined): Normalizer | null {
  if (!j) return null;
  switch (j.type) {
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD': {
      const form = j.type;
      return (s) => s.normalize(form);
    }
    case 'Lowercase':
      return (s) => s.toLowerCase();
    case 'Prepend': {
      const prepend = String(j.prepend);
      // HF prepends only to a non-empty string.
      return (s) => (s.length > 0 ? prepend + s : s);
    }
    case 'Replace': {
      const re = patternRegex(j.pattern as Pattern);
      const content = String(j.content);
      return (s) => s.replace(re, () => content);
    }
    case 'Strip': {
      const left = j.strip_left !== false;
      const right = j.strip_right !== false;
      return (s) => (left && right ? s.trim() : left ? s.trimStart() : right ? s.trimEnd() : s);
    }
    case 'Sequence': {
      const parts = (j.normalizers as NormalizerJson[]).map(buildNormalizer).filter((n): n is Normalizer => n !== null);
      return (s) => parts.reduce((acc, n) => n(acc), s);
    }
    default:
      throw new LatheError('unsupported', `Tokenizer normalizer "${j.type}" is not supported yet.`);
  }
}
