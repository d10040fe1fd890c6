// The projects slice's actions: load, create, rename, remove, select. Failures land in projectsError as a message.
import type { StateCreator } from 'zustand';
import { messageOf } from '../../bridge/lathe-error.js';
import type { ProjectsService } from '../../services/projects.js';
import type { LatheStore } from '../index.js';
import { projectsInitialState, type ProjectsState } from './initialState.js';

export interface ProjectsActions {
  loadProjects(): Promise<void>;
  createProject(name: string): Promise<boolean>;
  renameProject(id: number, name: string): Promise<boolean>;
  removeProject(id: number): Promise<boolean>;
  selectProject(id: number | undefined): void;
  clearProjectsError(): void;
}

export type ProjectsSlice = ProjectsState & ProjectsActions;

export const createProjectsSlice =
  (service: ProjectsService): StateCreator<LatheStore, [], [], ProjectsSlice> =>
  (set, get) => {
    const attempt = async (work: () => Promise<unknown>): Promise<boolean> => {
      try {
        await work();
        await get().loadProjects();
        return true;
      } catch (err) {
        set({ projectsError: messageOf(err) });
        return false;
      }
    };
    return {
      ...projectsInitialState,
      async loadProjects() {
        set({ projectsStatus: get().projectsStatus === 'ready' ? 'ready' : 'loading' });
        try {
          const projects = await service.list();
          const selected = get().selectedProjectId;
          set({
            projects,
            projectsStatus: 'ready',
            selectedProjectId: selected !== undefined && projects.some((p) => p.id === selected) ? selected : projects[0]?.id,
          });
        } catch (err) {
          set({ projectsStatus: 'error', projectsError: messageOf(err) });
        }
      },
      createProject: (name) =>
        attempt(async () => {
          const p = await service.create(name);
          set({ selectedProjectId: p.id });
        }),
      renameProject: (id, name) => attempt(() => service.rename(id, name)),
      removeProject: (id) => attempt(() => service.remove(id)),
      selectProject: (id) => set({ selectedProjectId: id }),
      clearProjectsError: () => set({ projectsError: undefined }),
    };
  };
