// Deterministic train/validation split: a row goes to validation when its seeded hash ranks among the lowest
// round(n × ratio) of the dataset's included rows. Same seed, ratio and rows → same split, on any machine.
import { cyrb53 } from './content-hash.js';

/** Uniform in [0, 2^53): the row's sort key for a seed. */
export function splitKey(seed: number, idx: number): number {
  return cyrb53(`${idx}`, seed);
}

/** Indexes (among `idxs`) that form the validation split. */
export function validationSet(idxs: readonly number[], seed: number, ratio: number): Set<number> {
  const k = Math.round(idxs.length * ratio);
  if (k <= 0) return new Set();
  const keyed = idxs.map((idx) => [splitKey(seed, idx), idx] as const);
  keyed.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return new Set(keyed.slice(0, k).map((x) => x[1]));
}
