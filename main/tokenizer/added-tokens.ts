// Splits text around added/special tokens the way HF's AddedVocabulary does: leftmost-longest match,
// lstrip/rstrip swallowing neighbouring whitespace, single_word boundaries. Does not tokenize the rest.

export interface AddedTokenJson {
  readonly id: number;
  readonly content: string;
  readonly single_word?: boolean;
  readonly lstrip?: boolean;
  readonly rstrip?: boolean;
  readonly normalized?: boolean;
  readonly special?: boolean;
}

/** A run of text to tokenize, or an added token's id. `start` is the offset in the string that was split. */
export type Segment = { readonly text: string; readonly start: number } | { readonly id: number; readonly start: number };

const WORD = /[\p{L}\p{N}_]/u;
const SPACE = /\s/u;

export class AddedTokenMatcher {
  /** First UTF-16 unit → candidates, longest first. */
  private readonly byFirst = new Map<string, { content: string; tok: AddedTokenJson }[]>();

  constructor(tokens: readonly { content: string; tok: AddedTokenJson }[]) {
    for (const t of tokens) {
      if (t.content.length === 0) continue;
      const k = t.content[0] as string;
      const list = this.byFirst.get(k) ?? [];
      list.push(t);
      this.byFirst.set(k, list);
    }
    for (const list of this.byFirst.values()) list.sort((a, b) => b.content.length - a.content.length);
  }

  get empty(): boolean {
    return this.byFirst.size === 0;
  }

  split(s: string): Segment[] {
    const out: Segment[] = [];
    if (this.byFirst.size === 0) {
      if (s.length > 0) out.push({ text: s, start: 0 });
      return out;
    }
    let textStart = 0; // start of the pending text run
    let i = 0;
    while (i < s.length) {
      const list = this.byFirst.get(s[i] as string);
      let matched = false;
      if (list !== undefined) {
        for (const { content, tok } of list) {
          if (!s.startsWith(content, i)) continue;
          let a = i;
          let b = i + content.length;
          if (tok.single_word) {
            const before = a > 0 ? s[a - 1] : undefined;
            const after = b < s.length ? s[b] : undefined;
            if ((before && WORD.test(before)) || (after && WORD.test(after))) continue;
          }
          if (tok.lstrip) while (a > textStart && SPACE.test(s[a - 1] as string)) a--;
          if (tok.rstrip) while (b < s.length && SPACE.test(s[b] as string)) b++;
          if (a > textStart) out.push({ text: s.slice(textStart, a), start: textStart });
          out.push({ id: tok.id, start: a });
          textStart = b;
          i = b;
          matched = true;
          break;
        }
      }
      if (!matched) i++;
    }
    if (textStart < s.length) out.push({ text: s.slice(textStart), start: textStart });
    return out;
  }
}
