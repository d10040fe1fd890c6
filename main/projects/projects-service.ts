// The `projects` domain: create, list, rename and remove projects. Removing one hides it at once; what it owns (its
// datasets, runs, exports, its folder) is deleted in the background in short transactions (project-removal.ts).
import fs from 'node:fs';
import type { CreateProjectRequest, IProjectsService, ProjectDto, ProjectRef, RenameProjectRequest } from '../../preload/contract/projects.js';
import { ProjectsStore } from '../db/projects-store.js';
import type { ServiceContext } from '../services/service-context.js';
import { ProjectRemovalQueue } from './project-removal.js';

export class ProjectsService implements IProjectsService {
  private readonly store: ProjectsStore;
  /** Deletion of removed projects, in the background (remove() returns once the project is hidden). */
  readonly removals: ProjectRemovalQueue;
  /** Removals a killed process left unfinished, resumed at construction; resolves to their ids once done. */
  readonly removalsResumed: Promise<number[]>;

  constructor(private readonly ctx: ServiceContext) {
    this.store = new ProjectsStore(ctx.workspace.db);
    this.removals = new ProjectRemovalQueue(this.store, (id) => ctx.workspace.paths.project(id));
    this.removalsResumed = this.removals.resume().catch(() => []);
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
    // Hidden now; the rest goes in short transactions after this returns (a failure there is retried at the next start).
    this.removals.add(id).catch(() => undefined);
    this.ctx.events.emit('projects.changed', { id, change: 'removed' });
    return { removed: true };
  }

  dispose(): void {
    this.removals.stop();
  }
}
