// Data access for projects. Statements prepared once per connection; returns plain rows mapped to DTOs. A removed
// project is hidden at once ('removing', name freed) and what it owns is deleted afterwards in short transactions
// (deleteRemovedChunk), so removing a large project never holds the write lock for long. Deleting its folder and
// pacing the chunks is main/projects' business.
import type { ProjectDto } from '../../preload/contract/projects.js';
import { LatheError } from '../../preload/contract/errors.js';
import { nowIso } from './clock.js';
import { discardChunk, DISCARD_ROWS } from './dataset-import-writer.js';
import { EXPORT_KINDS_SQL } from './exports-store.js';
import { LIVE_STATUSES } from './runs-store.js';
import type { WorkspaceDb } from './workspace-db.js';

interface ProjectRow {
  id: number;
  name: string;
  created_at: string;
  updated_at: string;
  dataset_count: number;
  run_count: number;
  export_count: number;
}

const SELECT = `
  SELECT p.id, p.name, p.created_at, p.updated_at,
    (SELECT COUNT(*) FROM datasets d WHERE d.project_id = p.id AND d.state = 'ready') AS dataset_count,
    (SELECT COUNT(*) FROM runs r WHERE r.project_id = p.id) AS run_count,
    (SELECT COUNT(*) FROM artifacts a WHERE a.project_id = p.id AND a.kind IN (${EXPORT_KINDS_SQL})) AS export_count
  FROM projects p WHERE p.state = 'ready'`;

/**
 * What one deleteRemovedChunk() call left: more to delete, an import still writing into the project, nothing but the
 * project row, or not even that (the project is not being removed: deleted already, or never removed).
 */
export type RemovalStep = 'more' | 'waiting' | 'empty' | 'gone';

const LIVE_SQL = LIVE_STATUSES.map((s) => `'${s}'`).join(', ');

export class ProjectsStore {
  private readonly listStmt;
  private readonly getStmt;
  private readonly byNameStmt;
  private readonly insertStmt;
  private readonly renameStmt;
  private readonly liveRunStmt;
  private readonly hideStmt;
  private readonly hideDatasetsStmt;
  private readonly removingStmt;
  private readonly isRemovingStmt;
  private readonly removingDatasetStmt;
  private readonly importingStmt;
  private readonly firstRunStmt;
  private readonly metricsChunkStmt;
  private readonly runDeleteStmt;
  private readonly artifactsChunkStmt;
  private readonly deleteStmt;

  constructor(private readonly db: WorkspaceDb) {
    this.listStmt = db.prepare<[], ProjectRow>(`${SELECT} ORDER BY p.updated_at DESC, p.id DESC`);
    this.getStmt = db.prepare<[number], ProjectRow>(`${SELECT} AND p.id = ?`);
    this.byNameStmt = db.prepare<[string], ProjectRow>(`${SELECT} AND p.name = ? COLLATE NOCASE`);
    this.insertStmt = db.prepare<[string, string, string]>('INSERT INTO projects (name, created_at, updated_at) VALUES (?, ?, ?)');
    this.renameStmt = db.prepare<[string, string, number]>("UPDATE projects SET name = ?, updated_at = ? WHERE id = ? AND state = 'ready'");
    this.liveRunStmt = db.prepare<[number], { id: number; status: string }>(`SELECT id, status FROM runs WHERE project_id = ? AND status IN (${LIVE_SQL}) ORDER BY id LIMIT 1`);
    // Names are unique (NOCASE) hidden projects included, so the name is freed at once: a tombstone no one types
    // (names refuse control characters). Not char(0) as for datasets: NOCASE compares only up to a NUL.
    this.hideStmt = db.prepare<[number]>("UPDATE projects SET state = 'removing', name = char(1) || 'removed ' || id WHERE id = ? AND state = 'ready'");
    // The same tombstone as DatasetsStore.remove(): such a dataset is deleted by the dataset removal's chunks.
    this.hideDatasetsStmt = db.prepare<[number]>("UPDATE datasets SET state = 'removing', name = char(0) || 'removed ' || id WHERE project_id = ? AND state = 'ready'");
    this.removingStmt = db.prepare<[], number>("SELECT id FROM projects WHERE state = 'removing' ORDER BY id").pluck();
    this.isRemovingStmt = db.prepare<[number], number>("SELECT id FROM projects WHERE id = ? AND state = 'removing'").pluck();
    this.removingDatasetStmt = db.prepare<[number], number>("SELECT id FROM datasets WHERE project_id = ? AND state = 'removing' ORDER BY id LIMIT 1").pluck();
    this.importingStmt = db.prepare<[number], number>("SELECT id FROM datasets WHERE project_id = ? AND state = 'importing' LIMIT 1").pluck();
    this.firstRunStmt = db.prepare<[number], number>('SELECT id FROM runs WHERE project_id = ? ORDER BY id LIMIT 1').pluck();
    // run_metrics is WITHOUT ROWID, keyed (run_id, kind, step): the subquery walks that key's prefix.
    this.metricsChunkStmt = db.prepare<[number, number, number]>(
      'DELETE FROM run_metrics WHERE run_id = ? AND (kind, step) IN (SELECT kind, step FROM run_metrics WHERE run_id = ? LIMIT ?)',
    );
    this.runDeleteStmt = db.prepare<[number]>('DELETE FROM runs WHERE id = ?');
    this.artifactsChunkStmt = db.prepare<[number, number]>('DELETE FROM artifacts WHERE id IN (SELECT id FROM artifacts WHERE project_id = ? LIMIT ?)');
    this.deleteStmt = db.prepare<[number]>("DELETE FROM projects WHERE id = ? AND state = 'removing'");
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

  /**
   * Removes a project as far as anyone can see, in one tiny transaction: it and its datasets become 'removing'
   * (hidden, names freed). What it owns stays until deleteRemovedChunk() has deleted it a chunk per transaction:
   * one transaction deleting a large project's rows held the write lock for seconds. Refused while a run of it is live.
   */
  remove(id: number): void {
    this.db.transaction(() => {
      const project = this.get(id);
      const live = this.liveRunStmt.get(id);
      if (live) throw new LatheError('conflict', `Run ${live.id} of project “${project.name}” is ${live.status}; stop it before removing the project.`, { runId: live.id });
      this.hideStmt.run(id);
      this.hideDatasetsStmt.run(id);
    }).immediate();
  }

  /** Removed projects not yet deleted (a removal in progress, or cut short by a kill). */
  removing(): number[] {
    return this.removingStmt.all();
  }

  /**
   * One short transaction of a removed project's deletion (never of a project that is not 'removing'): hides a
   * dataset an import published after the removal, else deletes a chunk of a removed dataset (the dataset removal's
   * own chunk), of a run's metrics (then the run), or of its artifacts. 'waiting': only an import still writing into
   * it is left (its importer, or the next start's clean-up, discards it); 'empty': only the project row is left.
   */
  deleteRemovedChunk(id: number): RemovalStep {
    return this.db.transaction((): RemovalStep => {
      if (this.isRemovingStmt.get(id) === undefined) return 'gone';
      if (this.hideDatasetsStmt.run(id).changes > 0) return 'more';
      const datasetId = this.removingDatasetStmt.get(id);
      if (datasetId !== undefined) {
        discardChunk(this.db, datasetId, 'removing');
        return 'more';
      }
      const runId = this.firstRunStmt.get(id);
      if (runId !== undefined) {
        if (this.metricsChunkStmt.run(runId, runId, DISCARD_ROWS).changes === 0) this.runDeleteStmt.run(runId);
        return 'more';
      }
      if (this.artifactsChunkStmt.run(id, DISCARD_ROWS).changes > 0) return 'more';
      return this.importingStmt.get(id) === undefined ? 'empty' : 'waiting';
    }).immediate();
  }

  /** Deletes a removed project's row once deleteRemovedChunk() said 'empty' (and its folder is gone). */
  deleteRemoved(id: number): void {
    this.deleteStmt.run(id);
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
    exportCount: r.export_count,
  };
}
