// The BPE model of HF tokenizer.json: vocab + ranked merges applied lowest rank first (leftmost on ties),
// with byte fallback (`<0xNN>`), unk fusing and `ignore_merges`. One word in, ids out; no splitting of text.
import { LatheError } from '../../preload/contract/errors.js';

export interface BpeModelJson {
  readonly type: 'BPE';
  readonly vocab: Readonly<Record<string, number>>;
  readonly merges: readonly (string | readonly [string, string])[];
  readonly unk_token?: string | null;
  readonly byte_fallback?: boolean;
  readonly fuse_unk?: boolean;
  readonly ignore_merges?: boolean;
  readonly continuing_subword_prefix?: string | null;
  readonly end_of_word_suffix?: string | null;
  readonly dropout?: number | null;
}

const CACHE_LIMIT = 200_000;
/** Words longer than this (in symbols) use the heap; shorter ones the plain scan. Both give HF's result. */
const HEAP_THRESHOLD = 48;

export class BpeModel {
  readonly vocab: Map<string, number>;
  readonly idToToken: string[];
  /** (left id, right id) → rank and merged id, keyed by left·2^21 + right (vocabularies stay below 2^21). */
  private readonly merges = new Map<number, { rank: number; id: number }>();
  private readonly unkId: number | null;
  private readonly byteIds: (number | undefined)[] = [];
  private readonly cache = new Map<string, number[]>();
  private readonly encoder = new TextEncoder();

  constructor(readonly json: BpeModelJson) {
    if (json.dropout) throw new LatheError('unsupported', 'BPE dropout is not supported (training data must be deterministic).');
    if (json.continuing_subword_prefix || json.end_of_word_suffix) {
      throw new LatheError('unsupported', 'BPE with continuing_subword_prefix / end_of_word_suffix is not supported yet.');
    }
    this.vocab = new Map(Object.entries(json.vocab));
    this.idToToken = [];
    for (const [t, id] of this.vocab) this.idToToken[id] = t;
    json.merges.forEach((m, rank) => {
      let a: string;
      let b: string;
      if (typeof m === 'string') {
        const sp = m.indexOf(' ', 1);
        a = m.slice(0, sp);
        b = m.slice(sp + 1);
      } else [a, b] = m;
      const ia = this.vocab.get(a);
      const ib = this.vocab.get(b);
      const id = this.vocab.get(a + b);
      if (ia === undefined || ib === undefined || id === undefined) {
        throw new LatheError('bad_input', `tokenizer.json merge #${rank} "${a} ${b}" uses tokens missing from the vocabulary.`);
      }
      const key = ia * 2097152 + ib;
      if (!this.merges.has(key)) this.merges.set(key, { rank, id });
    });
    this.unkId = json.unk_token ? (this.vocab.get(json.unk_token) ?? null) : null;
    if (json.byte_fallback) {
      for (let b = 0; b < 256; b++) this.byteIds[b] = this.vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    }
  }

  /** Token ids of one pre-tokenized word, appended to `out`. */
  tokenize(word: string, out: number[]): void {
    const hit = this.cache.get(word);
    if (hit !== undefined) {
      for (const id of hit) out.push(id);
      return;
    }
    const ids = this.tokenizeUncached(word);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, ids);
    for (const id of ids) out.push(id);
  }

  private tokenizeUncached(word: string): number[] {
    if (this.json.ignore_merges) {
      const whole = this.vocab.get(word);
      if (whole !== undefined) return [whole];
    }
    const sym: number[] = [];
    let lastUnk = false;
    for (const ch of word) {
      const id = this.vocab.get(ch);
      if (id !== undefined) {
        sym.push(id);
        lastUnk = false;
        continue;
      }
      if (this.json.byte_fallback) {
        const bytes = this.encoder.encode(ch);
        const ids = Array.from(bytes, (b) => this.byteIds[b]);
        if (ids.every((x) => x !== undefined)) {
          for (const x of ids) sym.push(x as number);
          lastUnk = false;
          continue;
        }
      }
      if (this.unkId !== null) {
        if (!(this.json.fuse_unk && lastUnk)) sym.push(this.unkId);
        lastUnk = true;
      }
    }
    return sym.length > HEAP_THRESHOLD ? this.mergeHeap(sym) : this.mergeScan(sym);
  }

  /** Repeatedly merges the lowest-ranked adjacent pair, leftmost first. O(n²), fastest for short words. */
  private mergeScan(sym: number[]): number[] {
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      let bestId = 0;
      for (let i = 0; i + 1 < sym.length; i++) {
        const m = this.merges.get((sym[i] as number) * 2097152 + (sym[i + 1] as number));
        if (m !== undefined && m.rank < bestRank) {
          bestRank = m.rank;
          best = i;
          bestId = m.id;
        }
      }
      if (best < 0) return sym;
      sym.splice(best, 2, bestId);
    }
  }

  /** The same merge order with a binary heap of (rank, position) over a linked list, like HF's `Word::merge_all`. */
  private mergeHeap(sym: number[]): number[] {
    const n = sym.length;
    const c = sym.slice();
    const prev = new Int32Array(n);
    const next = new Int32Array(n);
    const alive = new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    // heap of [rank, pos, id]; ordered by rank then pos.
    const heap: [number, number, number][] = [];
    const less = (x: [number, number, number], y: [number, number, number]) => x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
    const push = (e: [number, number, number]) => {
      heap.push(e);
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!less(heap[i]!, heap[p]!)) break;
        [heap[i], heap[p]] = [heap[p]!, heap[i]!];
        i = p;
      }
    };
    const pop = (): [number, number, number] => {
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
          if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
          if (m === i) break;
          [heap[i], heap[m]] = [heap[m]!, heap[i]!];
          i = m;
        }
      }
      return top;
    };
    const pairAt = (i: number) => {
      const j = next[i]!;
      if (j < 0) return;
      const m = this.merges.get(c[i]! * 2097152 + c[j]!);
      if (m !== undefined) push([m.rank, i, m.id]);
    };
    for (let i = 0; i + 1 < n; i++) pairAt(i);
    while (heap.length > 0) {
      const [, i, id] = pop();
      if (!alive[i]) continue;
      const j = next[i]!;
      if (j < 0) continue;
      const m = this.merges.get(c[i]! * 2097152 + c[j]!);
      if (m === undefined || m.id !== id) continue;
      c[i] = id;
      alive[j] = 0;
      next[i] = next[j]!;
      if (next[j]! >= 0) prev[next[j]!] = i;
      if (prev[i]! >= 0) pairAt(prev[i]!);
      pairAt(i);
    }
    const out: number[] = [];
    for (let i = 0; i >= 0; i = next[i]!) out.push(c[i]!);
    return out;
  }
}
