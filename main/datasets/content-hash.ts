// Fast 53-bit string hashes for duplicate detection and row identity (cyrb53, public domain). Not cryptographic:
// the source file's fingerprint uses SHA-256 (file-fingerprint.ts).

export function cyrb53(str: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export function hashHex(str: string): string {
  return hex53(cyrb53(str));
}


/**
 * cyrb53 of a record's JSON text as if every run of whitespace (literal, or escaped as \\n \\r \\t) were one space
 * and values were trimmed (no space next to a string quote): “Hello  world ” and “Hello world” hash alike. One pass,
 * no intermediate strings: this runs for every imported row.
 */
export function normalisedHash(json: string, seed = 1): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  let pending = false;
  let last = 0;
  const n = json.length;
  for (let i = 0; i < n; i++) {
    const ch = json.charCodeAt(i);
    if (ch === 0x5c && i + 1 < n) {
      const nx = json.charCodeAt(i + 1);
      if (nx === 0x6e || nx === 0x72 || nx === 0x74) {
        pending = true;
        i++;
        continue;
      }
    }
    if (ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09) {
      pending = true;
      continue;
    }
    if (pending) {
      pending = false;
      if (ch !== 0x22 && last !== 0x22 && last !== 0) {
        h1 = Math.imul(h1 ^ 0x20, 2654435761);
        h2 = Math.imul(h2 ^ 0x20, 1597334677);
      }
    }
    last = ch;
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** What one pass over a record's JSON yields: cyrb53 (exact), normalisedHash, and whether mojibake is possible. */
export interface JsonScan {
  exact: number;
  norm: number;
  /** Holds a character every mojibake pattern starts with (U+0080–U+00FF, U+FFFD, 锟, 烫); false: no need to test. */
  suspect: boolean;
}

/**
 * cyrb53(json), normalisedHash(json) and the mojibake pre-check in ONE pass over the text (each row the validate step
 * checks used to be scanned three times). Fills and returns `out`, so a whole-file validation allocates nothing here.
 */
export function scanJson(json: string, out: JsonScan): JsonScan {
  const s = SCRATCH;
  s.reset();
  s.text(json, 0, json.length);
  return s.finish(out);
}

/**
 * scanJson over a JSON text given in pieces, in order (record-json.ts hashes a record's JSON as it builds it, with no
 * second pass). The result equals scanJson of the concatenation as long as no piece ends between a backslash and the
 * letter after it (a JSON escape is never split: pieces end before a quote, a comma or a brace).
 */
export class JsonScanner {
  private e1 = 0xdeadbeef;
  private e2 = 0x41c6ce57;
  private h1 = 0xdeadbeef ^ 1;
  private h2 = 0x41c6ce57 ^ 1;
  private pending = false;
  private last = 0;
  private suspect = false;

  reset(): void {
    this.e1 = 0xdeadbeef;
    this.e2 = 0x41c6ce57;
    this.h1 = 0xdeadbeef ^ 1;
    this.h2 = 0x41c6ce57 ^ 1;
    this.pending = false;
    this.last = 0;
    this.suspect = false;
  }

  /** The state after the text fed so far, to start later scans from (record-json.ts: a record's constant opening). */
  save(): JsonScannerState {
    return { e1: this.e1, e2: this.e2, h1: this.h1, h2: this.h2, pending: this.pending, last: this.last, suspect: this.suspect };
  }

  /** Continues as if the text that led to `s` had been fed (after reset). */
  restore(s: JsonScannerState): void {
    this.e1 = s.e1;
    this.e2 = s.e2;
    this.h1 = s.h1;
    this.h2 = s.h2;
    this.pending = s.pending;
    this.last = s.last;
    this.suspect = s.suspect;
  }

  /** Feeds `str[from, to)`. */
  text(str: string, from: number, to: number): void {
    let e1 = this.e1;
    let e2 = this.e2;
    let h1 = this.h1;
    let h2 = this.h2;
    let pending = this.pending;
    let last = this.last;
    let suspect = this.suspect;
    for (let i = from; i < to; i++) {
      const ch = str.charCodeAt(i);
      e1 = Math.imul(e1 ^ ch, 2654435761);
      e2 = Math.imul(e2 ^ ch, 1597334677);
      // Nearly every character: neither whitespace nor a backslash. Tested first, with the fewest comparisons (this
      // loop runs over every character of every row the validate step checks).
      if (ch > 0x20 && ch !== 0x5c) {
        if (ch >= 0x80 && !suspect && (ch <= 0xff || ch === 0xfffd || ch === 0x951f || ch === 0x70eb)) suspect = true;
        if (pending) {
          pending = false;
          if (ch !== 0x22 && last !== 0x22 && last !== 0) {
            h1 = Math.imul(h1 ^ 0x20, 2654435761);
            h2 = Math.imul(h2 ^ 0x20, 1597334677);
          }
        }
        last = ch;
        h1 = Math.imul(h1 ^ ch, 2654435761);
        h2 = Math.imul(h2 ^ ch, 1597334677);
        continue;
      }
      if (ch === 0x5c && i + 1 < to) {
        const nx = str.charCodeAt(i + 1);
        if (nx === 0x6e || nx === 0x72 || nx === 0x74) {
          e1 = Math.imul(e1 ^ nx, 2654435761);
          e2 = Math.imul(e2 ^ nx, 1597334677);
          pending = true;
          i++;
          continue;
        }
      }
      if (ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09) {
        pending = true;
        continue;
      }
      if (pending) {
        pending = false;
        if (ch !== 0x22 && last !== 0x22 && last !== 0) {
          h1 = Math.imul(h1 ^ 0x20, 2654435761);
          h2 = Math.imul(h2 ^ 0x20, 1597334677);
        }
      }
      last = ch;
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    this.e1 = e1;
    this.e2 = e2;
    this.h1 = h1;
    this.h2 = h2;
    this.pending = pending;
    this.last = last;
    this.suspect = suspect;
  }

  /**
   * Feeds `str` up to its first character JSON.stringify would escape (a control character, a quote, a backslash, a
   * surrogate) and returns that index (str.length: none). Such text has no whitespace but spaces, no backslashes.
   */
  plain(str: string): number {
    // Deliberately a second loop beside text(), not text() with a flag: this one must stop at the first character
    // JSON.stringify would escape (record-json.ts copies the text before it as is), so it tests for that on every
    // character and needs no escape or newline handling, while text() must run on through escapes. One loop serving
    // both would put the stop test, or a mode branch, on every character of every validated row. Building the JSON
    // piece by piece this way is what the validate step's pass costs less for: replacing recordJson with
    // JSON.stringify + scanJson made validating the 1M-row bench CSV 0.6–1.6 s slower (4.12–4.33 → 4.78–5.93 s,
    // three alternating pairs, load ~1). content-hash.test.ts and record-json.test.ts check both loops against
    // cyrb53/normalisedHash.
    let e1 = this.e1;
    let e2 = this.e2;
    let h1 = this.h1;
    let h2 = this.h2;
    let pending = this.pending;
    let last = this.last;
    let suspect = this.suspect;
    const n = str.length;
    let i = 0;
    for (; i < n; i++) {
      const ch = str.charCodeAt(i);
      if (ch < 0x20 || ch === 0x22 || ch === 0x5c || (ch & 0xf800) === 0xd800) break;
      e1 = Math.imul(e1 ^ ch, 2654435761);
      e2 = Math.imul(e2 ^ ch, 1597334677);
      if (ch === 0x20) {
        pending = true;
        continue;
      }
      if (ch >= 0x80 && !suspect && (ch <= 0xff || ch === 0xfffd || ch === 0x951f || ch === 0x70eb)) suspect = true;
      if (pending) {
        pending = false;
        if (last !== 0x22 && last !== 0) {
          h1 = Math.imul(h1 ^ 0x20, 2654435761);
          h2 = Math.imul(h2 ^ 0x20, 1597334677);
        }
      }
      last = ch;
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    this.e1 = e1;
    this.e2 = e2;
    this.h1 = h1;
    this.h2 = h2;
    this.pending = pending;
    this.last = last;
    this.suspect = suspect;
    return i;
  }

  finish(out: JsonScan): JsonScan {
    out.exact = finish53(this.e1, this.e2);
    out.norm = finish53(this.h1, this.h2);
    out.suspect = this.suspect;
    return out;
  }
}

export interface JsonScannerState {
  readonly e1: number;
  readonly e2: number;
  readonly h1: number;
  readonly h2: number;
  readonly pending: boolean;
  readonly last: number;
  readonly suspect: boolean;
}

const SCRATCH = new JsonScanner();

/** '0'…'f' as char codes, by nibble. */
const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/**
 * A 53-bit hash as 14 lowercase hex digits: `n.toString(16).padStart(14, '0')` without the number-to-string
 * conversion of a double (0.9 µs a row, a tenth of the importing thread's time in the 1M-row bench).
 */
export function hex53(n: number): string {
  const hi = Math.floor(n / 4294967296);
  const lo = n >>> 0;
  return String.fromCharCode(
    HEX[(hi >>> 20) & 15]!, HEX[(hi >>> 16) & 15]!, HEX[(hi >>> 12) & 15]!, HEX[(hi >>> 8) & 15]!, HEX[(hi >>> 4) & 15]!, HEX[hi & 15]!,
    HEX[lo >>> 28]!, HEX[(lo >>> 24) & 15]!, HEX[(lo >>> 20) & 15]!, HEX[(lo >>> 16) & 15]!, HEX[(lo >>> 12) & 15]!, HEX[(lo >>> 8) & 15]!, HEX[(lo >>> 4) & 15]!, HEX[lo & 15]!,
  );
}

function finish53(h1: number, h2: number): number {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
