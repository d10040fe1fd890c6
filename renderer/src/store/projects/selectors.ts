// Pure reads of the projects slice for components.
import type { LatheStore } from '../index.js';

export const projectsSelectors = {
  list: (s: LatheStore) => s.projects,
  status: (s: LatheStore) => s.projectsStatus,
  error: (s: LatheStore) => s.projectsError,
  selected: (s: LatheStore) => s.projects.find((p) => p.id === s.selectedProjectId),
  isEmpty: (s: LatheStore) => s.projectsStatus === 'ready' && s.projects.length === 0,
};
