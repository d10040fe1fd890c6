// The `projects` domain: a project groups a user's datasets, runs and exports.
import { z } from 'zod';
import type { DomainContract } from './define.js';
import { Empty } from './app.js';

/** Names people type: trimmed, 1..80 characters, no control characters. */
export const ProjectName = z
  .string()
  .trim()
  .min(1, 'A project needs a name.')
  .max(80, 'Project names are at most 80 characters.')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'Project names cannot contain control characters.');

export const ProjectId = z.number().int().positive();

export const ProjectDto = z.object({
  id: ProjectId,
  name: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  datasetCount: z.number().int(),
  runCount: z.number().int(),
  /** Finished exports of the project: the same rows the Export page and the overview list (exports.list). */
  exportCount: z.number().int(),
});
export type ProjectDto = Readonly<z.infer<typeof ProjectDto>>;

export const CreateProjectRequest = z.object({ name: ProjectName }).strict();
export type CreateProjectRequest = z.infer<typeof CreateProjectRequest>;
export const RenameProjectRequest = z.object({ id: ProjectId, name: ProjectName }).strict();
export type RenameProjectRequest = z.infer<typeof RenameProjectRequest>;
export const ProjectRef = z.object({ id: ProjectId }).strict();
export type ProjectRef = z.infer<typeof ProjectRef>;

export interface IProjectsService {
  list(request: Empty): Promise<readonly ProjectDto[]>;
  get(request: ProjectRef): Promise<ProjectDto>;
  create(request: CreateProjectRequest): Promise<ProjectDto>;
  rename(request: RenameProjectRequest): Promise<ProjectDto>;
  remove(request: ProjectRef): Promise<{ readonly removed: true }>;
}

export const ProjectChangedEvent = z.object({
  id: ProjectId,
  change: z.enum(['created', 'renamed', 'removed']),
});
export type ProjectChangedEvent = z.infer<typeof ProjectChangedEvent>;

export const projectsContract = {
  name: 'projects',
  requests: { list: Empty, get: ProjectRef, create: CreateProjectRequest, rename: RenameProjectRequest, remove: ProjectRef },
  events: { changed: ProjectChangedEvent },
} as const satisfies DomainContract<IProjectsService>;
