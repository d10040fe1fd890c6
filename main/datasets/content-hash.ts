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
