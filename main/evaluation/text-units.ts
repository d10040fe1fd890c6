// Splits a prediction or reference into the units BLEU and ROUGE count: each CJK character is a unit of its own
// (character-level scoring for Chinese/Japanese/Korean text), runs of other letters and digits are words, and
// every other non-space character is a unit. Does not lowercase or stem: scores compare text as written.

/** CJK ideographs, kana, hangul, CJK punctuation and full-width forms: one unit per character. */
const CJK = /[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]|[\u{20000}-\u{2fa1f}]/u;
const WORD = /[\p{L}\p{N}\p{M}_]/u;

export function textUnits(text: string): string[] {
  const out: string[] = [];
  let word = '';
  const flush = () => {
    if (word) out.push(word);
    word = '';
  };
  for (const ch of text.normalize('NFC')) {
    if (CJK.test(ch)) {
      flush();
      out.push(ch);
    } else if (WORD.test(ch)) {
      word += ch;
    } else {
      flush();
      if (!/\s/u.test(ch)) out.push(ch);
    }
  }
  flush();
  return out;
}
