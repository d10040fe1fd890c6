// Keeps names and paths that come from users inside the folder they belong to.
// Does not check existence or permissions; callers do their own I/O.
import path from 'node:path';
import { errorText, LatheError } from '../../preload/contract/errors.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const SAFE_PATH_ERROR_CODES = ['err.path.leaves'] as const;
const errText = errorText(SAFE_PATH_ERROR_CODES);

/** Joins segments under root and refuses any result outside it (`..`, absolute segments, drive letters). */
export function resolveInside(root: string, ...segments: string[]): string {
  const base = path.resolve(root);
  const full = path.resolve(base, ...segments);
  const rel = path.relative(base, full);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return full;
  throw new LatheError('forbidden', `The path ${segments.join('/')} leaves the folder it belongs to.`, undefined, errText('err.path.leaves', { path: segments.join('/') }));
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

/**
 * A file or folder name made from free text (dataset, run, export names): keeps letters of any script, digits,
 * `-`, `_`, `.`, and spaces; everything else becomes `_`. Never empty, never `.`/`..`, valid on Windows too.
 */
export function safeFileName(name: string, fallback = 'untitled'): string {
  let s = name.normalize('NFC').replace(/[^\p{L}\p{N}\-_. ]/gu, '_').replace(/\s+/g, ' ').trim();
  s = s.replace(/^\.+/, '').replace(/[. ]+$/, '');
  if (s.length > 100) s = s.slice(0, 100).trim();
  if (!s || WINDOWS_RESERVED.test(s)) s = s ? `_${s}` : fallback;
  return s;
}

/**
 * A folder name slug made from free text (export folders): letters of any script (Chinese stays readable), digits,
 * and `.`/`_` inside a word; every other run of characters (spaces, `·`, `#`, slashes) becomes one `-`, with no
 * separator at either end. So "lathe-tiny-llama · #1-peft" gives "lathe-tiny-llama-1-peft". Never empty, never
 * `.`/`..` or a Windows device name, at most 80 characters; join it with resolveInside() all the same.
 */
export function slugFileName(text: string, fallback = 'untitled'): string {
  let s = text
    .normalize('NFKC')
    .replace(/[^\p{L}\p{M}\p{N}._]+/gu, '-')
    .replace(/[-._]*-[-._]*/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[-._]+|[-._]+$/g, '');
  if (s.length > 80) s = s.slice(0, 80).replace(/[-._]+$/, '');
  if (!s) s = fallback;
  if (WINDOWS_RESERVED.test(s.split('.')[0]!)) s = `_${s}`;
  return s;
}
