// Renderer-side access to the projects domain: thin wrappers over the bridge, so slices never touch transports.
import type { ProjectDto } from '../../../preload/contract/index.js';
import { lathe } from '../bridge/lathe-client.js';

export const projectsService = {
  list: (): Promise<readonly ProjectDto[]> => lathe.projects.list({}),
  create: (name: string): Promise<ProjectDto> => lathe.projects.create({ name }),
  rename: (id: number, name: string): Promise<ProjectDto> => lathe.projects.rename({ id, name }),
  remove: (id: number): Promise<unknown> => lathe.projects.remove({ id }),
  onChanged: (cb: () => void): (() => void) => lathe.on('projects.changed', cb),
};
export type ProjectsService = typeof projectsService;
