// Pure reads of the exports slice.
import type { LatheStore } from '../index.js';

export const exportsSelectors = {
  list: (s: LatheStore) => s.exportsList,
  jobs: (s: LatheStore) => s.exportJobs,
  error: (s: LatheStore) => s.exportsError,
  running: (s: LatheStore) => s.exportJobs.find((j) => j.status === 'running' || j.status === 'verifying'),
};
