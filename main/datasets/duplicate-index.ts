// Remembers which row first had each normalised-content hash, in typed arrays (16 bytes a row), so 5 million rows
// fit in ~130 MB. It tells exact from whitespace-only duplicates by a second hash; it does not store text.

export type DuplicateKind = 'exact' | 'normalised';

export class DuplicateIndex {
  private cap = 1 << 16;
  private size = 0;
  private hi = new Uint32Array(this.cap);
  private lo = new Uint32Array(this.cap);
  private exact = new Uint32Array(this.cap);
  private rows = new Uint32Array(this.cap);

  /** Records a row; returns the earlier row it duplicates (and how) or null. `norm` and `exact` are 53-bit hashes. */
  add(norm: number, exact: number, row: number): { row: number; kind: DuplicateKind } | null {
    if ((this.size + 1) * 4 > this.cap * 3) this.grow();
    const h = Math.floor(norm / 4294967296) >>> 0;
    const l = norm >>> 0;
    const e = exact >>> 0;
    let i = (l ^ Math.imul(h, 0x9e3779b1)) & (this.cap - 1);
    for (;;) {
      if (this.rows[i] === 0) {
        this.hi[i] = h;
        this.lo[i] = l;
        this.exact[i] = e;
        this.rows[i] = row + 1; // 0 marks an empty slot
        this.size++;
        return null;
      }
      if (this.hi[i] === h && this.lo[i] === l) return { row: this.rows[i]! - 1, kind: this.exact[i] === e ? 'exact' : 'normalised' };
      i = (i + 1) & (this.cap - 1);
    }
  }

  private grow(): void {
    const { hi, lo, exact, rows, cap } = this;
    this.cap = cap * 2;
    this.hi = new Uint32Array(this.cap);
    this.lo = new Uint32Array(this.cap);
    this.exact = new Uint32Array(this.cap);
    this.rows = new Uint32Array(this.cap);
    this.size = 0;
    for (let j = 0; j < cap; j++) {
      if (rows[j] === 0) continue;
      let i = (lo[j]! ^ Math.imul(hi[j]!, 0x9e3779b1)) & (this.cap - 1);
      while (this.rows[i] !== 0) i = (i + 1) & (this.cap - 1);
      this.hi[i] = hi[j]!;
      this.lo[i] = lo[j]!;
      this.exact[i] = exact[j]!;
      this.rows[i] = rows[j]!;
      this.size++;
    }
  }
}
