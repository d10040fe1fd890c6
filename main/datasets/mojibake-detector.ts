// Spots text that was decoded with the wrong encoding (UTF-8 read as Windows-1252/Latin-1, GBK read as UTF-8 …).
// A heuristic for a warning, not a repair: it never changes text.

// UTF-8 bytes of common accented letters/punctuation seen as Windows-1252: Ã©, Ã¨, â€™, â€œ, Â …; GBK's “锟斤拷”
// (U+FFFD written as UTF-8 then read as GBK); the replacement character itself; C1 control characters.
const PATTERNS = /Ã[\u0080-\u00bf]|Ã[©¨§¤¶¼½¾ª«±³¹º]|â€[™œ\u009d˜”“¦¢]|Â[ \u00a0-\u00bf]|锟斤拷|烫烫烫|\ufffd|[\u0080-\u009f]|ï¼[^\s]|ã€[^\s]/;

export function looksLikeMojibake(text: string): boolean {
  return PATTERNS.test(text);
}
