// A Hugging Face `tokenizer.json` (BPE models) loaded into a pure-TypeScript tokenizer whose ids match the
// Python `tokenizers` library: added tokens → normalizer → pre-tokenizer → BPE → post-processor. No training.
import { readFile } from 'node:fs/promises';
import { LatheError } from '../../preload/contract/errors.js';
import { AddedTokenMatcher, type AddedTokenJson } from './added-tokens.js';
import { byteLevelToBytes, decodeUtf8Lossy } from './byte-level.js';
import { BpeModel, type BpeModelJson } from './bpe-model.js';
import { buildDecoder, type Decoder, type DecoderJson } from './decoder.js';
import { buildNormalizer, type Normalizer, type NormalizerJson } from './normalizer.js';
import { buildPostProcessor, type PostProcessor, type PostProcessorJson } from './post-processor.js';
import { buildPreTokenizer, type PreTokenizer, type PreTokenizerJson } from './pre-tokenizer.js';

export interface TokenizerJson {
  readonly added_tokens?: readonly AddedTokenJson[];
  readonly normalizer?: NormalizerJson | null;
  readonly pre_tokenizer?: PreTokenizerJson | null;
  readonly post_processor?: PostProcessorJson | null;
  readonly decoder?: DecoderJson | null;
  readonly model: BpeModelJson | { readonly type: string };
}

export interface EncodeOptions {
  /** Apply the post-processor (BOS etc.). Templates always pass false, as LLaMA-Factory does. */
  readonly addSpecialTokens?: boolean;
}

export class Tokenizer {
  readonly model: BpeModel;
  private readonly normalizer: Normalizer | null;
  private readonly preTokenizer: PreTokenizer | null;
  private readonly postProcessor: PostProcessor | null;
  private readonly decoder: Decoder | null;
  private readonly rawAdded: AddedTokenMatcher;
  private readonly normAdded: AddedTokenMatcher;
  private readonly added = new Map<string, AddedTokenJson>();
  private readonly addedById = new Map<number, AddedTokenJson>();
  readonly vocabSize: number;

  constructor(readonly json: TokenizerJson) {
    if (json.model.type !== 'BPE') throw new LatheError('unsupported', `Tokenizer model "${json.model.type}" is not supported yet (BPE only).`);
    this.model = new BpeModel(json.model as BpeModelJson);
    this.normalizer = buildNormalizer(json.normalizer);
    this.preTokenizer = buildPreTokenizer(json.pre_tokenizer);
    this.postProcessor = buildPostProcessor(json.post_processor);
    this.decoder = buildDecoder(json.decoder);
    const raw: { content: string; tok: AddedTokenJson }[] = [];
    const norm: { content: string; tok: AddedTokenJson }[] = [];
    for (const t of json.added_tokens ?? []) {
      this.added.set(t.content, t);
      this.addedById.set(t.id, t);
      // HF matches normalized added tokens against normalized text, using their normalized content.
      if (t.normalized) norm.push({ content: this.normalizer ? this.normalizer(t.content) : t.content, tok: t });
      else raw.push({ content: t.content, tok: t });
    }
    this.rawAdded = new AddedTokenMatcher(raw);
    this.normAdded = new AddedTokenMatcher(norm);
    let max = this.model.idToToken.length - 1;
    for (const id of this.addedById.keys()) max = Math.max(max, id);
    this.vocabSize = max + 1;
  }

  static async fromFile(path: string): Promise<Tokenizer> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      throw new LatheError('not_found', `No tokenizer.json at ${path}.`, { path });
    }
    return new Tokenizer(JSON.parse(text) as TokenizerJson);
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    const ids: number[] = [];
    for (const seg of this.rawAdded.split(text)) {
      if ('id' in seg) {
        ids.push(seg.id);
        continue;
      }
      const normalized = this.normalizer ? this.normalizer(seg.text) : seg.text;
      for (const part of this.normAdded.split(normalized)) {
        if ('id' in part) ids.push(part.id);
        else this.encodeText(part.text, seg.start === 0 && part.start === 0, ids);
      }
    }
    return opts.addSpecialTokens && this.postProcessor ? this.postProcessor(ids) : ids;
  }

  private encodeText(s: string, first: boolean, out: number[]): void {
    const words = this.preTokenizer ? this.preTokenizer([s], first) : [s];
    for (const w of words) if (w.length > 0) this.model.tokenize(w, out);
  }

  tokenToId(token: string): number | undefined {
    return this.added.get(token)?.id ?? this.model.vocab.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.addedById.get(id)?.content ?? this.model.idToToken[id];
  }

  isSpecial(id: number): boolean {
    return this.addedById.get(id)?.special === true;
  }

  /**
   * Each token's share of the decoded text, so that the pieces concatenate to the text: bytes of a character
   * split across tokens are shown on the token that completes it. For previews (token boundaries) only.
   */
  tokenPieces(ids: readonly number[]): string[] {
    const byteLevel = JSON.stringify(this.json.decoder ?? null).includes('"ByteLevel"');
    const out: string[] = [];
    let pending: number[] = [];
    const utf8 = new TextEncoder();
    for (const id of ids) {
      const added = this.addedById.get(id);
      const t = added?.content ?? this.model.idToToken[id] ?? '';
      if (added) for (const b of utf8.encode(t)) pending.push(b);
      else if (byteLevel) byteLevelToBytes(t, pending);
      else {
        const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(t);
        if (m) pending.push(parseInt(m[1]!, 16));
        else for (const b of utf8.encode(t.replaceAll('\u2581', ' '))) pending.push(b);
      }
      const keep = incompleteTail(pending);
      out.push(decodeUtf8Lossy(pending.slice(0, pending.length - keep)));
      pending = pending.slice(pending.length - keep);
    }
    if (pending.length > 0 && out.length > 0) out[out.length - 1] += decodeUtf8Lossy(pending);
    return out;
  }

  /** HF's `Tokenizer::decode`: every kept token (added ones too) goes through the decoder; none means join with spaces. */
  decode(ids: readonly number[], opts: { skipSpecialTokens?: boolean } = {}): string {
    const tokens: string[] = [];
    for (const id of ids) {
      if (opts.skipSpecialTokens && this.isSpecial(id)) continue;
      const t = this.idToToken(id);
      if (t !== undefined) tokens.push(t);
    }
    return this.decoder ? this.decoder(tokens).join('') : tokens.join(' ');
  }
}

/** How many trailing bytes start a UTF-8 character that is not complete yet (0 when the buffer ends cleanly). */
function incompleteTail(bytes: readonly number[]): number {
  for (let k = 1; k <= Math.min(3, bytes.length); k++) {
    const b = bytes[bytes.length - k]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}
