// Translates the Oniguruma regexes found in tokenizer.json into JavaScript `u`-mode regexes that match the
// same strings: inline case-insensitive groups and Oniguruma's `\s`. Does not support possessive quantifiers.
import { LatheError } from '../../preload/contract/errors.js';

/**
 * Oniguruma's Unicode `\s` (White_Space minus nothing): unlike JavaScript's it includes U+0085 (NEL) and
 * excludes U+FEFF (BOM). Written without brackets so it can go inside a class.
 */
const ONIG_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

function caseFold(body: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\\') {
      out += c + (body[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    if (/[a-zA-Z]/.test(c)) {
      const l = c.toLowerCase();
      const u = c.toUpperCase();
      out += inClass ? l + u : `[${l}${u}]`;
    } else out += c;
  }
  return out;
}

/** Source of a JS regex (to be compiled with flags 'gu') equivalent to the Oniguruma pattern. */
export function translateOnigRegex(pattern: string): string {
  const bare = pattern.replace(/\\[pP]\{[^}]*\}/g, 'x').replace(/\\./g, 'x').replace(/\[[^\]]*\]/g, 'x');
  if (/(?:[?*+]|\{\d+(?:,\d*)?\})\+/.test(bare)) {
    throw new LatheError('unsupported', `Possessive quantifiers in a tokenizer regex are not supported: ${pattern}`);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const n = pattern[i + 1] ?? '';
      i++;
      if (n === 's') out += inClass ? ONIG_SPACE : `[${ONIG_SPACE}]`;
      else if (n === 'S') {
        if (inClass) throw new LatheError('unsupported', `\\S inside a character class is not supported: ${pattern}`);
        out += `[^${ONIG_SPACE}]`;
      } else out += c + n;
      continue;
    }
    if (!inClass && pattern.startsWith('(?i:', i)) {
      let depth = 0;
      let j = i;
      for (; j < pattern.length; j++) {
        const d = pattern[j];
        if (d === '\\') {
          j++;
          continue;
        }
        if (d === '(') depth++;
        else if (d === ')' && --depth === 0) break;
      }
      out += '(?:' + caseFold(pattern.slice(i + 4, j)) + ')';
      i = j;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}

export function compileOnigRegex(pattern: string): RegExp {
  return new RegExp(translateOnigRegex(pattern), 'gu');
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
