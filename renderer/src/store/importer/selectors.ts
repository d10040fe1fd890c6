// Pure reads of the import wizard for components.
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

export interface ProblemGroup {
  readonly message: string;
  readonly column: string | undefined;
  readonly rows: readonly number[];
}

/** Problems grouped by message (the same mistake on 500 rows is one line with a count). */
export function groupProblems(problems: readonly { row: number; column?: string | undefined; message: string }[]): ProblemGroup[] {
  const groups = new Map<string, { message: string; column: string | undefined; rows: number[] }>();
  for (const p of problems) {
    const key = `${p.column ?? ''}\u0000${p.message}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { message: p.message, column: p.column, rows: [] }));
    g.rows.push(p.row);
  }
  return [...groups.values()].sort((a, b) => b.rows.length - a.rows.length);
}
