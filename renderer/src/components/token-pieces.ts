// A previewed record cut into what TokenSpans draws: per segment, its tokens with id, position and whether each
// is trained (label ≠ -100) and a special token; segments past the cutoff keep their text, marked as cut. Pure.
import type { PreviewRecordDto } from '../../../preload/contract/preview.js';

export interface TokenPiece {
  readonly text: string;
  readonly id: number;
  readonly position: number;
  readonly trained: boolean;
  readonly special: boolean;
}

export interface SegmentPieces {
  readonly trained: boolean;
  readonly part: 'prompt' | 'response';
  readonly turn: number;
  readonly tokens: readonly TokenPiece[];
  /** Text of the segment that fell beyond the cutoff (not trained, not even seen). */
  readonly droppedText: string;
}

const SPECIAL = /^(<\|[^|<>]{1,40}\|>|<\/?s>|<unk>|<pad>|\[\/?INST\]|<<\/?SYS>>|<\/?think>|<start_of_turn>|<end_of_turn>)$/;

export function isSpecialToken(text: string, extra: readonly (string | null | undefined)[] = []): boolean {
  return SPECIAL.test(text) || extra.some((t) => t !== null && t !== undefined && t !== '' && t === text);
}

export function tokenPieces(r: PreviewRecordDto, specials: readonly (string | null | undefined)[] = []): SegmentPieces[] {
  return r.segments.map((seg) => {
    const tokens: TokenPiece[] = [];
    const end = Math.min(seg.end, r.tokens.length);
    let shown = '';
    for (let i = seg.start; i < end; i++) {
      const text = r.tokens[i] ?? '';
      shown += text;
      tokens.push({ text, id: r.input_ids[i] ?? -1, position: i, trained: (r.labels[i] ?? -100) !== -100, special: isSpecialToken(text, specials) });
    }
    // What the tokens did not cover of the segment's text is what the cutoff dropped.
    const droppedText = seg.cut ? (seg.text.startsWith(shown) ? seg.text.slice(shown.length) : tokens.length === 0 ? seg.text : '') : '';
    return { trained: seg.trained, part: seg.part, turn: seg.turn, tokens, droppedText };
  });
}

/** A token as drawn: newlines and tabs made visible, spaces kept. */
export function visibleToken(text: string): string {
  return text.replace(/\n/g, '↵\n').replace(/\t/g, '→\t');
}
