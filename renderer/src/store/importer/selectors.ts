// Pure reads of the import wizard for components.
import type { Problem } from '../../../../preload/contract/datasets.js';
import type { LatheStore } from '../index.js';
import { IMPORT_STEPS } from './initialState.js';
import { missingRequired } from './mapping-edit.js';

export const importerSelectors = {
  stepIndex: (s: LatheStore) => IMPORT_STEPS.indexOf(s.importStep),
  /** The furthest step the person may jump to from what is known so far. */
  reachable: (s: LatheStore) => {
    if (!s.importFile || !s.inspection) return 0;
    if (!s.mapping || missingRequired(s.mapping).length > 0) return 2;
    if (s.importResult || s.importJob) return 4;
    return s.validation ? 4 : 3;
  },
  missing: (s: LatheStore) => (s.mapping ? missingRequired(s.mapping) : []),
  /** Saving is allowed when the report is in and either there are no problems or bad rows are skipped. */
  canSave: (s: LatheStore) => !!s.validation && s.validation.validRows > 0 && (s.skipBad || s.validation.problemCount === 0),
};

type ProblemLike = Pick<Problem, 'row' | 'column' | 'message' | 'code' | 'params'>;

/** A group's title is main's message: shown with translateMainMessage (code and params, English fallback). */
export interface ProblemGroup {
  readonly message: string;
  readonly code?: string | undefined;
  readonly params?: Readonly<Record<string, string | number>> | undefined;
  readonly column: string | undefined;
  readonly rows: readonly number[];
}

/** Problems grouped by message (the same mistake on 500 rows is one line with a count). */
export function groupProblems(problems: readonly ProblemLike[]): ProblemGroup[] {
  const groups = new Map<string, { message: string; code?: string | undefined; params?: ProblemLike['params']; column: string | undefined; rows: number[] }>();
  for (const p of problems) {
    const key = `${p.column ?? ''}\u0000${p.message}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { message: p.message, code: p.code, params: p.params, column: p.column, rows: [] }));
    g.rows.push(p.row);
  }
  return [...groups.values()].sort((a, b) => b.rows.length - a.rows.length);
}
