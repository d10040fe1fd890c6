// Keeps names and paths that come from users inside the folder they belong to.
// Does not check existence or permissions; callers do their own I/O.
import path from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';

/** Joins segments under root and refuses any result outside it (`..`, absolute segments, drive letters). */
export function resolveInside(root: string, ...segments: string[]): string {
  const base = path.resolve(root);
  const full = path.resolve(base, ...segments);
  const rel = path.relative(base, full);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return full;
  throw new LatheError('forbidden', `The path ${segments.join('/')} leaves the folder it belongs to.`);
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
