// The `projects` domain: create, list, rename and remove projects; removing one also removes its folder.
import fs from 'node:fs';
import type { CreateProjectRequest, IProjectsService, ProjectDto, ProjectRef, RenameProjectRequest } from '../../preload/contract/projects.js';
import { ProjectsStore } from '../db/projects-store.js';
import type { ServiceContext } from '../services/service-context.js';

export class ProjectsService implements IProjectsService {
  private readonly store: ProjectsStore;

  constructor(private readonly ctx: ServiceContext) {
    this.store = new ProjectsStore(ctx.workspace.db);
  }

  async list(): Promise<readonly ProjectDto[]> {
    return this.store.list();
  }

  async get({ id }: ProjectRef): Promise<ProjectDto> {
    return this.store.get(id);
  }

  async create({ name }: CreateProjectRequest): Promise<ProjectDto> {
    const project = this.store.create(name);
    fs.mkdirSync(this.ctx.workspace.paths.project(project.id), { recursive: true });
    this.ctx.events.emit('projects.changed', { id: project.id, change: 'created' });
    return project;
  }

  async rename({ id, name }: RenameProjectRequest): Promise<ProjectDto> {
    const project = this.store.rename(id, name);
    this.ctx.events.emit('projects.changed', { id, change: 'renamed' });
    return project;
  }

  async remove({ id }: ProjectRef): Promise<{ readonly removed: true }> {
    this.store.remove(id);
    await fs.promises.rm(this.ctx.workspace.paths.project(id), { recursive: true, force: true });
    this.ctx.events.emit('projects.changed', { id, change: 'removed' });
    return { removed: true };
  }
}
