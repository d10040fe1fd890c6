// Pure reads of the prompt preview.
import type { LatheStore } from '../index.js';

export const previewSelectors = {
  /** The template in effect: the chosen one, else the automatic choice. */
  template: (s: LatheStore) => s.templateChoice ?? s.renderedTemplate ?? s.proposedTemplate,
  canStep: (s: LatheStore) => s.previewRowCount > 1 && s.modelCard !== undefined,
  /** Share of records longer than the cutoff, 0..1. */
  truncatedShare: (s: LatheStore) => s.stats?.truncatedShare ?? 0,
  /** The longest record of the whole dataset (before truncation), once the statistics are in. */
  longest: (s: LatheStore) => s.stats?.longest[0],
  statsRunning: (s: LatheStore) => s.statsProgress !== undefined,
};
