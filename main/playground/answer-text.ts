// Turns generated ids into the answer's text as they arrive: emits only text that can no longer change (a
// character whose UTF-8 bytes are not complete yet, or what may be the start of a stop word, waits), ends the
// answer at a stop word that is not a single token, and leaves stop tokens out of the text. Does not generate.
import type { Tokenizer } from '../tokenizer/tokenizer.js';

export class AnswerText {
  private readonly ids: number[] = [];
  private emitted = 0;
  private finalText = '';
  /** True once a stop string appeared: the caller ends the generation. */
  stopped = false;

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly stopTokenIds: ReadonlySet<number>,
    private readonly stopStrings: readonly string[],
  ) {}

  /** Adds ids; returns the new stable text (possibly empty). */
  push(ids: readonly number[]): string {
    if (this.stopped) return '';
    for (const id of ids) if (!this.stopTokenIds.has(id)) this.ids.push(id);
    const full = this.tokenizer.decode(this.ids, { skipSpecialTokens: true });
    let end = full.length;
    for (const s of this.stopStrings) {
      const at = full.indexOf(s);
      if (at >= 0 && at < end) {
        end = at;
        this.stopped = true;
      }
    }
    if (this.stopped) {
      this.finalText = full.slice(0, end);
      return this.take(this.finalText.length, this.finalText);
    }
    this.finalText = full;
    // An incomplete multi-byte character decodes as U+FFFD until its last byte arrives.
    while (end > this.emitted && full.charCodeAt(end - 1) === 0xfffd) end--;
    for (const s of this.stopStrings) {
      for (let k = Math.min(s.length - 1, end - this.emitted); k > 0; k--) {
        if (full.slice(end - k, end) === s.slice(0, k)) {
          end -= k;
          break;
        }
      }
    }
    return this.take(end, full);
  }

  private take(end: number, full: string): string {
    if (end <= this.emitted) return '';
    const out = full.slice(this.emitted, end);
    this.emitted = end;
    return out;
  }

  /** The rest, once generation ended. */
  flush(): string {
    return this.take(this.finalText.length, this.finalText);
  }

  get text(): string {
    return this.finalText;
  }
}
