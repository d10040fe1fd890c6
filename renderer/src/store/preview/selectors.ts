// Pure reads of the prompt preview.
import type { LatheStore } from '../index.js';

export const previewSelectors = {
  /** The template in effect: the chosen one, else the automatic choice. */
  template: (s: LatheStore) => s.templateChoice ?? s.renderedTemplate ?? s.proposedTemplate,
  canStep: (s: LatheStore) => s.previewRecords.length > 1 && s.modelCard !== undefined,
  /** Share of records longer than the cutoff, 0..1. */
  truncatedShare: (s: LatheStore) => s.stats?.truncatedShare ?? 0,
};
