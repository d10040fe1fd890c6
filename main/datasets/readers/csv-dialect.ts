// Sniffs a delimited text's delimiter and line ending from a decoded sample.
// It does not parse the whole file.
import Papa from 'papaparse';

export interface CsvDialect {
  readonly delimiter: string;
  /** False when no candidate split the sample into consistent columns (prose, one column). */
  readonly tabular: boolean;
  readonly newline: '\r\n' | '\n' | '\r';
}

const CANDIDATES = [',', '\t', ';', '|'] as const;

/** The candidate whose field count is most consistent (and above one) over the sample's first records. */
export function sniffDialect(sample: string, preferred?: string): CsvDialect {
  const newline = sniffNewline(sample);
  // Excel's hint line: `sep=;` as the first line names the delimiter.
  const hint = /^\ufeff?sep=(.)\r?\n/i.exec(sample);
  if (hint) return { delimiter: hint[1]!, newline, tabular: true };
  // Drop the (likely partial) last line of a sample cut from a larger file.
  const cut = sample.lastIndexOf(newline);
  const text = cut > 0 ? sample.slice(0, cut) : sample;
  let best: { delimiter: string; score: number } = { delimiter: preferred ?? ',', score: -1 };
  for (const d of CANDIDATES) {
    const parsed = Papa.parse<string[]>(text, { delimiter: d, newline, preview: 100, skipEmptyLines: true });
    const counts = parsed.data.map((r) => r.length);
    if (counts.length === 0) continue;
    const mode = modeOf(counts);
    if (mode < 2) continue;
    const consistent = counts.filter((c) => c === mode).length / counts.length;
    const score = consistent * 10 + Math.min(mode, 20) / 20 + (d === preferred ? 0.5 : 0);
    if (score > best.score) best = { delimiter: d, score };
  }
  return { delimiter: best.delimiter, newline, tabular: best.score >= 0 };
}

function sniffNewline(s: string): CsvDialect['newline'] {
  const i = s.search(/\r\n|\n|\r/);
  if (i < 0) return '\n';
  if (s[i] === '\r') return s[i + 1] === '\n' ? '\r\n' : '\r';
  return '\n';
}

function modeOf(xs: number[]): number {
  const freq = new Map<number, number>();
  let best = 0;
  let bestN = 0;
  for (const x of xs) {
    const n = (freq.get(x) ?? 0) + 1;
    freq.set(x, n);
    if (n > bestN || (n === bestN && x > best)) {
      best = x;
      bestN = n;
    }
  }
  return best;
}
