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

/** Whitespace collapsed, trimmed and lower-cased: “Hello  world ” and “hello world” are the same. */
export function normaliseForDuplicates(str: string): string {
  return str.replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * The same normalisation applied to a record's JSON text without re-serialising it: escaped and literal whitespace
 * runs become one space, spaces next to string quotes go (so trimming is covered), letters are lower-cased.
 */
export function normaliseJsonForDuplicates(json: string): string {
  return json.toLowerCase().replace(/(?:\\[nrt]|\s)+/g, ' ').replace(/ ?" ?/g, '"');
}
