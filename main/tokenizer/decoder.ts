// HF decoders as token-list transforms (ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip, Sequence),
// turning ids back into text for previews. Decoding is for display: training never goes through it.
import { LatheError } from '../../preload/contract/errors.js';
import { byteLevelToBytes, decodeUtf8Lossy } from './byte-level.js';
import { patternRegex } from './normalizer.js';

export type Decoder = (tokens: string[]) => string[];

export interface DecoderJson {
  readonly type: string;
  readonly [k: string]: unknown;
}

const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;

export function buildDecoder(j: DecoderJson | null | undefined): Decoder | null {
  if (!j) return null;
  switch (j.type) {
    case 'ByteLevel':
      return (tokens) => {
        const bytes: number[] = [];
        for (const t of tokens) byteLevelToBytes(t, bytes);
        return [decodeUtf8Lossy(bytes)];
      };
    case 'Metaspace': {
      const rep = String(j.replacement ?? '▁');
      const scheme = (j.prepend_scheme as string | undefined) ?? (j.add_prefix_space === false ? 'never' : 'always');
      return (tokens) =>
        tokens.map((t, i) => {
          const s = t.replaceAll(rep, ' ');
          return i === 0 && scheme !== 'never' && s.startsWith(' ') ? s.slice(1) : s;
        });
    }
    case 'Replace': {
      const re = patternRegex(j.pattern as { String?: string; Regex?: string });
      const content = String(j.content);
      return (tokens) => tokens.map((t) => t.replace(re, () => content));
    }
    case 'ByteFallback':
      return (tokens) => {
        const out: string[] = [];
        let pending: number[] = [];
        const flush = () => {
          if (pending.length === 0) return;
          const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
          try {
            out.push(text.decode(Uint8Array.from(pending)));
          } catch {
            for (let k = 0; k < pending.length; k++) out.push('\uFFFD');
          }
          pending = [];
        };
        for (const t of tokens) {
          const m = BYTE_TOKEN.exec(t);
          if (m) pending.push(parseInt(m[1] as string, 16));
          else {
            flush();
            out.push(t);
          }
        }
        flush();
        return out;
      };
    case 'Fuse':
      return (tokens) => [tokens.join('')];
    case 'Strip': {
      const content = String(j.content);
      const start = Number(j.start ?? 0);
      const stop = Number(j.stop ?? 0);
      return (tokens) =>
        tokens.map((t) => {
          let a = 0;
          let b = t.length;
          for (let k = 0; k < start && t.startsWith(content, a); k++) a += content.length;
          for (let k = 0; k < stop && b - content.length >= a && t.slice(b - content.length, b) === content; k++) b -= content.length;
          return t.slice(a, b);
        });
    }
    case 'Sequence': {
      const parts = (j.decoders as DecoderJson[]).map(buildDecoder).filter((d): d is Decoder => d !== null);
      return (tokens) => parts.reduce((acc, d) => d(acc), tokens);
    }
    default:
      throw new LatheError('unsupported', `Tokenizer decoder "${j.type}" is not supported yet.`);
  }
}

export { decodeUtf8Lossy };
