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
  return cyrb53(str).toString(16).padStart(14, '0');
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
 * cyrb53(json), normalisedHash(json) and the mojibake pre-check in ONE pass over the text (each row of an import
 * used to be scanned three times). Fills and returns `out`, so a bulk import allocates nothing here.
 */
export function scanJson(json: string, out: JsonScan): JsonScan {
  let e1 = 0xdeadbeef;
  let e2 = 0x41c6ce57;
  let h1 = 0xdeadbeef ^ 1;
  let h2 = 0x41c6ce57 ^ 1;
  let pending = false;
  let last = 0;
  let suspect = false;
  const n = json.length;
  for (let i = 0; i < n; i++) {
    const ch = json.charCodeAt(i);
    e1 = Math.imul(e1 ^ ch, 2654435761);
    e2 = Math.imul(e2 ^ ch, 1597334677);
    // Nearly every character: neither whitespace nor a backslash. Tested first, with the fewest comparisons (this
    // loop is a tenth of a CSV import).
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
    if (ch === 0x5c && i + 1 < n) {
      const nx = json.charCodeAt(i + 1);
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
  out.exact = finish53(e1, e2);
  out.norm = finish53(h1, h2);
  out.suspect = suspect;
  return out;
}

function finish53(h1: number, h2: number): number {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
