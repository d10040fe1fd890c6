// Pure reads of the datasets slice.
import type { LatheStore } from '../index.js';

export const datasetsSelectors = {
  list: (s: LatheStore) => s.datasets,
  status: (s: LatheStore) => s.datasetsStatus,
  error: (s: LatheStore) => s.datasetsError,
  open: (s: LatheStore) => s.datasets.find((d) => d.id === s.openDatasetId),
  isEmpty: (s: LatheStore) => s.datasetsStatus === 'ready' && s.datasets.length === 0,
};
