// Data access for projects. Statements prepared once per connection; returns plain rows mapped to DTOs.
import type { ProjectDto } from '../../preload/contract/projects.js';
import { LatheError } from '../../preload/contract/errors.js';
import { nowIso } from './clock.js';
import type { WorkspaceDb } from './workspace-db.js';

interface ProjectRow {
  id: number;
  name: string;
  created_at: string;
  updated_at: string;
  dataset_count: number;
  run_count: number;
  artifact_count: number;
}

const SELECT = `
  SELECT p.id, p.name, p.created_at, p.updated_at,
    (SELECT COUNT(*) FROM datasets d WHERE d.project_id = p.id AND d.state = 'ready') AS dataset_count,
    (SELECT COUNT(*) FROM runs r WHERE r.project_id = p.id) AS run_count,
    (SELECT COUNT(*) FROM artifacts a WHERE a.project_id = p.id) AS artifact_count
  FROM projects p`;

export class ProjectsStore {
  private readonly listStmt;
  private readonly getStmt;
  private readonly byNameStmt;
  private readonly insertStmt;
  private readonly renameStmt;
  private readonly deleteStmt;

  constructor(private readonly db: WorkspaceDb) {
    this.listStmt = db.prepare<[], ProjectRow>(`${SELECT} ORDER BY p.updated_at DESC, p.id DESC`);
    this.getStmt = db.prepare<[number], ProjectRow>(`${SELECT} WHERE p.id = ?`);
    this.byNameStmt = db.prepare<[string], ProjectRow>(`${SELECT} WHERE p.name = ? COLLATE NOCASE`);
    this.insertStmt = db.prepare<[string, string, string]>('INSERT INTO projects (name, created_at, updated_at) VALUES (?, ?, ?)');
    this.renameStmt = db.prepare<[string, string, number]>('UPDATE projects SET name = ?, updated_at = ? WHERE id = ?');
    this.deleteStmt = db.prepare<[number]>('DELETE FROM projects WHERE id = ?');
  }

  list(): ProjectDto[] {
    return this.listStmt.all().map(toDto);
  }

  get(id: number): ProjectDto {
    const row = this.getStmt.get(id);
    if (!row) throw new LatheError('not_found', `There is no project with id ${id}.`);
    return toDto(row);
  }

  findByName(name: string): ProjectDto | undefined {
    const row = this.byNameStmt.get(name);
    return row ? toDto(row) : undefined;
  }

  create(name: string): ProjectDto {
    if (this.findByName(name)) throw new LatheError('already_exists', `A project named “${name}” already exists.`);
    const now = nowIso();
    const id = Number(this.insertStmt.run(name, now, now).lastInsertRowid);
    return this.get(id);
  }

  /** The project with this name, created when missing (the CLI's default project, the demo project). */
  ensure(name: string): ProjectDto {
    return this.findByName(name) ?? this.create(name);
  }

  rename(id: number, name: string): ProjectDto {
    const other = this.findByName(name);
    if (other && other.id !== id) throw new LatheError('already_exists', `A project named “${name}” already exists.`);
    if (this.renameStmt.run(name, nowIso(), id).changes === 0) throw new LatheError('not_found', `There is no project with id ${id}.`);
    return this.get(id);
  }

  remove(id: number): void {
    if (this.deleteStmt.run(id).changes === 0) throw new LatheError('not_found', `There is no project with id ${id}.`);
  }
}

function toDto(r: ProjectRow): ProjectDto {
  return {
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    datasetCount: r.dataset_count,
    runCount: r.run_count,
    artifactCount: r.artifact_count,
  };
}
