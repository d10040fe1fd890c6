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
 * A record's JSON text normalised for “same but for whitespace/case” duplicates, without re-serialising it:
 * escaped and literal whitespace runs become one space, spaces next to string quotes go (so values are trimmed),
 * letters are lower-cased. “Hello  world ” and “hello world” match.
 */
export function normaliseJsonForDuplicates(json: string): string {
  return json.toLowerCase().replace(/(?:\\[nrt]|\s)+/g, ' ').replace(/ ?" ?/g, '"');
}
