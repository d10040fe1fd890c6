// Encodes one record into input ids and labels (-100 = masked) as LLaMA-Factory's supervised processor does, keeping
// the element spans for the preview (train_on_prompt, mask_history, efficient_eos, infer_seqlen). Writes no files.
import { LatheError } from '../../preload/contract/errors.js';
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import type { Notice } from '../../preload/contract/message-code.js';
import type { TemplateSpec } from '../../preload/contract/templates.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import { renderJinjaTurns } from './jinja-template.js';
import { recordToConversation } from './record-messages.js';
import { buildTurns, type Element, type Turn } from './template-turns.js';

export const IGNORE_INDEX = -100;

/** Every code of the encoder's notices (the renderer has a `main.<code>` text for each; a test checks). */
export const RECORD_ENCODER_CODES = ['template.noEos', 'template.eosNotInVocab', 'template.markerNotToken', 'template.markersNotTokens'] as const;
type RecordEncoderCode = (typeof RECORD_ENCODER_CODES)[number];

export type ResolvedTemplate =
  | { readonly kind: 'spec'; readonly spec: TemplateSpec }
  | { readonly kind: 'jinja'; readonly name: string; readonly source: string };

export interface EncoderOptions {
  readonly cutoffLen: number;
  readonly trainOnPrompt: boolean;
  readonly maskHistory: boolean;
  readonly enableThinking: boolean;
}

export const DEFAULT_ENCODER_OPTIONS: EncoderOptions = { cutoffLen: 2048, trainOnPrompt: false, maskHistory: false, enableThinking: true };

export interface SpecialTokens {
  readonly bosToken: string | null;
  readonly eosToken: string | null;
}

export interface EncodedSegment {
  readonly text: string;
  readonly trained: boolean;
  readonly part: 'prompt' | 'response';
  /** Index of the (prompt, response) turn in the conversation. */
  readonly turn: number;
  /** Token range [start, end) in input_ids. */
  readonly start: number;
  readonly end: number;
  /** Some of this segment's tokens were cut by cutoff_len. */
  readonly cut: boolean;
}

export type EncodedRecord =
  | {
      readonly ok: true;
      readonly inputIds: number[];
      readonly labels: number[];
      readonly segments: EncodedSegment[];
      readonly truncated: boolean;
      /** Tokens before truncation. */
      readonly fullLength: number;
    }
  | { readonly ok: false; readonly reason: string };

/** LLaMA-Factory's infer_seqlen (processor_utils.py): how much of source and target survive the cutoff. */
export function inferSeqlen(sourceLen: number, targetLen: number, cutoffLen: number): [number, number] {
  let maxTargetLen: number;
  if (targetLen * 2 < cutoffLen) maxTargetLen = cutoffLen;
  else if (sourceLen * 2 < cutoffLen) maxTargetLen = cutoffLen - sourceLen;
  else maxTargetLen = Math.floor(cutoffLen * (targetLen / (sourceLen + targetLen)));
  const newTargetLen = Math.min(maxTargetLen, targetLen);
  const maxSourceLen = Math.max(cutoffLen - newTargetLen, 0);
  return [Math.min(maxSourceLen, sourceLen), newTargetLen];
}

/** A template bound to a tokenizer: element → ids, with BOS/EOS resolved as Template.fix_special_tokens does. */
export class TemplateEncoder {
  readonly bosId: number | null;
  readonly eosId: number | null;
  readonly eosToken: string | null;
  /** Warnings about this template with this tokenizer (codes: RECORD_ENCODER_CODES). */
  readonly notices: Notice[] = [];

  constructor(
    readonly tokenizer: Tokenizer,
    readonly template: ResolvedTemplate,
    special: SpecialTokens,
  ) {
    this.bosId = special.bosToken !== null ? (tokenizer.tokenToId(special.bosToken) ?? null) : null;
    let eos = special.eosToken;
    if (template.kind === 'spec' && template.spec.replaceEos) {
      const stop = template.spec.stopWords[0];
      if (!stop) throw new LatheError('bad_input', `Template ${template.spec.name} replaces EOS but has no stop words.`);
      eos = stop;
    }
    if (eos === null && tokenizer.tokenToId('<|endoftext|>') !== undefined) eos = '<|endoftext|>';
    this.eosToken = eos;
    this.eosId = eos !== null ? (tokenizer.tokenToId(eos) ?? null) : null;
    const warn = (code: RecordEncoderCode, params: Notice['params'], message: string) => this.notices.push({ code, params, message });
    if (eos === null) warn('template.noEos', {}, 'The tokenizer has no EOS token: answers will not teach the model where to stop.');
    if (eos !== null && this.eosId === null) {
      warn('template.eosNotInVocab', { eos }, `The template's end token ${eos} is not in this tokenizer's vocabulary: training would need new embeddings.`);
    }
    if (template.kind === 'spec') {
      const missing = markersMissingFrom(template.spec, tokenizer);
      if (missing.length > 0) {
        warn(
          missing.length === 1 ? 'template.markerNotToken' : 'template.markersNotTokens',
          { template: template.spec.name, markers: missing.join(', ') },
          `Template ${template.spec.name} uses ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not a token of this tokenizer: ` +
            'it would be split into pieces. This template was probably made for another model family.',
        );
      }
    }
  }

  elementIds(e: Element): number[] {
    if ('text' in e) return e.text.length === 0 ? [] : this.tokenizer.encode(e.text);
    if ('bos' in e) return this.bosId === null ? [] : [this.bosId];
    if ('eos' in e) return this.eosId === null ? [] : [this.eosId];
    const id = this.tokenizer.tokenToId(e.token);
    if (id === undefined) throw new LatheError('bad_input', `Token ${e.token} is not in the tokenizer's vocabulary.`);
    return [id];
  }

  elementText(e: Element): string {
    if ('text' in e) return e.text;
    if ('bos' in e) return this.bosId === null ? '' : (this.tokenizer.idToToken(this.bosId) ?? '');
    if ('eos' in e) return this.eosId === null ? '' : (this.tokenizer.idToToken(this.eosId) ?? '');
    return e.token;
  }

  turnsOf(record: NormalisedRecord, o: EncoderOptions): Turn[] | { reason: string } {
    const conv = recordToConversation(record);
    if (!conv.ok) return { reason: conv.reason };
    if ('text' in conv) return [{ source: [], target: [{ text: conv.text }, { eos: true }] }];
    const tools = conv.tools && conv.tools.trim() !== '' ? conv.tools : undefined;
    if (this.template.kind === 'jinja') {
      return renderJinjaTurns(this.template.source, conv.messages, conv.system, {
        bosToken: this.bosId === null ? '' : (this.tokenizer.idToToken(this.bosId) ?? ''),
        eosToken: this.eosToken ?? '',
        enableThinking: o.enableThinking,
        ...(tools ? { tools } : {}),
      });
    }
    return buildTurns(this.template.spec, conv.messages, conv.system, { enableThinking: o.enableThinking, maskHistory: o.maskHistory }, tools);
  }

  encode(record: NormalisedRecord, o: EncoderOptions = DEFAULT_ENCODER_OPTIONS): EncodedRecord {
    const turns = this.turnsOf(record, o);
    if (!Array.isArray(turns)) return { ok: false, reason: turns.reason };
    const efficientEos = this.template.kind === 'spec' && this.template.spec.efficientEos;
    if (efficientEos && o.trainOnPrompt) throw new LatheError('bad_input', 'This template does not support train_on_prompt (efficient EOS).');
    const pieces = turns.map((t) => ({
      source: t.source.map((e) => ({ text: this.elementText(e), ids: this.elementIds(e) })),
      target: t.target.map((e) => ({ text: this.elementText(e), ids: this.elementIds(e) })),
    }));
    let fullLength = efficientEos ? 1 : 0;
    for (const p of pieces) for (const e of [...p.source, ...p.target]) fullLength += e.ids.length;

    // Walk turns in LLaMA-Factory's order (last first under mask_history), then lay them out in conversation order.
    const order = pieces.map((_, i) => i);
    if (o.maskHistory) order.reverse();
    let total = efficientEos ? 1 : 0;
    const blocks: { turn: number; srcLen: number; tgtLen: number; srcLabels: number[]; tgtTrained: boolean }[] = [];
    order.forEach((turn, turnIdx) => {
      if (total >= o.cutoffLen) return;
      const p = pieces[turn]!;
      const srcIds = p.source.flatMap((e) => e.ids);
      const tgtIds = p.target.flatMap((e) => e.ids);
      const [srcLen, tgtLen] = inferSeqlen(srcIds.length, tgtIds.length, o.cutoffLen - total);
      total += srcLen + tgtLen;
      let srcLabels: number[];
      if (o.trainOnPrompt) srcLabels = srcIds.slice(0, srcLen);
      else if (efficientEos && turnIdx !== 0 && srcLen > 0) srcLabels = [this.eosId ?? IGNORE_INDEX, ...new Array<number>(srcLen - 1).fill(IGNORE_INDEX)];
      else srcLabels = new Array<number>(srcLen).fill(IGNORE_INDEX);
      blocks.push({ turn, srcLen, tgtLen, srcLabels, tgtTrained: !(o.maskHistory && turnIdx !== 0) });
    });
    blocks.sort((a, b) => a.turn - b.turn);

    const inputIds: number[] = [];
    const labels: number[] = [];
    const segments: EncodedSegment[] = [];
    const emit = (els: { text: string; ids: number[] }[], keep: number, trained: boolean, part: 'prompt' | 'response', turn: number) => {
      let left = keep;
      for (const e of els) {
        if (left <= 0) break;
        const n = Math.min(left, e.ids.length);
        left -= n;
        if (n === 0 && e.ids.length > 0) continue;
        const ids = e.ids.slice(0, n);
        const start = inputIds.length;
        inputIds.push(...ids);
        const cut = n < e.ids.length;
        segments.push({ text: cut ? this.tokenizer.decode(ids) : e.text, trained, part, turn, start, end: start + n, cut });
      }
    };
    for (const b of blocks) {
      const p = pieces[b.turn]!;
      const srcStart = inputIds.length;
      emit(p.source, b.srcLen, o.trainOnPrompt, 'prompt', b.turn);
      labels.push(...b.srcLabels);
      if (inputIds.length - srcStart !== b.srcLabels.length) throw new Error('internal: prompt labels misaligned');
      const tgtStart = inputIds.length;
      emit(p.target, b.tgtLen, b.tgtTrained, 'response', b.turn);
      const tgt = inputIds.slice(tgtStart);
      labels.push(...(b.tgtTrained ? tgt : tgt.map(() => IGNORE_INDEX)));
    }
    if (efficientEos && this.eosId !== null) {
      const start = inputIds.length;
      inputIds.push(this.eosId);
      labels.push(this.eosId);
      segments.push({ text: this.eosToken ?? '', trained: true, part: 'response', turn: blocks.length - 1, start, end: start + 1, cut: false });
    }
    return { ok: true, inputIds, labels, segments, truncated: inputIds.length < fullLength, fullLength };
  }
}

/** Special-looking markers (`<|…|>`, `<start_of_turn>`, `[INST]`…) in a template that the tokenizer lacks as one token. */
export function markersMissingFrom(spec: TemplateSpec, tokenizer: Tokenizer): string[] {
  const texts = [spec.formatUser, spec.formatAssistant, spec.formatSystem, spec.formatObservation, spec.formatPrefix]
    .flat()
    .flatMap((slot) => (typeof slot === 'string' ? [slot] : 'token' in slot ? [slot.token] : []));
  const markers = new Set<string>();
  for (const t of [...texts, ...spec.stopWords]) for (const m of t.match(/<\|[^|<>\s]+\|>|<(?:start|end)_of_turn>|<｜[^｜]+｜>/g) ?? []) markers.add(m);
  return [...markers].filter((m) => tokenizer.tokenToId(m) === undefined);
}
