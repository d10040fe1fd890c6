// The projects slice's state: the list as last loaded, and what is in flight.
import type { ProjectDto } from '../../../../preload/contract/index.js';

export interface ProjectsState {
  projects: readonly ProjectDto[];
  projectsStatus: 'idle' | 'loading' | 'ready' | 'error';
  projectsError: string | undefined;
  selectedProjectId: number | undefined;
}

export const projectsInitialState: ProjectsState = {
  projects: [],
  projectsStatus: 'idle',
  projectsError: undefined,
  selectedProjectId: undefined,
};
