// Data access for finished exports, kept as rows of the v1 `artifacts` table (kind = the export format; meta holds
// the verification results and options). Statements prepared once per connection. No files are touched here.
import path from 'node:path';
import type { ExportDto, VerificationDto } from '../../preload/contract/exports.js';
import { LatheError } from '../../preload/contract/errors.js';
import { nowIso } from './clock.js';
import type { WorkspaceDb } from './workspace-db.js';

/** Artifact kinds that are exports (a run's own `adapter` and `checkpoint` rows are the runs store's). */
export const EXPORT_KINDS = ['peft', 'merged', 'gguf', 'ollama', 'onnx'] as const;

interface ArtifactRow {
  id: number;
  project_id: number;
  run_id: number | null;
  kind: string;
  path: string;
  bytes: number;
  meta: string;
  created_at: string;
}

/** `'peft', 'merged', …` for `kind IN (…)`; the project counts use it too, so they agree with the listings. */
export const EXPORT_KINDS_SQL = EXPORT_KINDS.map((k) => `'${k}'`).join(', ');
/** Exports of a removed project leave the listings at once; main/projects deletes them afterwards. */
const LISTED = "project_id NOT IN (SELECT id FROM projects WHERE state = 'removing')";

export class ExportsStore {
  private readonly insertStmt;
  private readonly listStmt;
  private readonly byProjectStmt;
  private readonly byRunStmt;
  private readonly getStmt;
  private readonly deleteStmt;

  constructor(
    private readonly db: WorkspaceDb,
    private readonly home: string,
  ) {
    this.insertStmt = db.prepare<[number, number | null, string, string, number, string, string]>(
      'INSERT INTO artifacts (project_id, run_id, kind, path, bytes, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.listStmt = db.prepare<[], ArtifactRow>(`SELECT * FROM artifacts WHERE kind IN (${EXPORT_KINDS_SQL}) AND ${LISTED} ORDER BY id DESC`);
    this.byProjectStmt = db.prepare<[number], ArtifactRow>(`SELECT * FROM artifacts WHERE kind IN (${EXPORT_KINDS_SQL}) AND project_id = ? AND ${LISTED} ORDER BY id DESC`);
    this.byRunStmt = db.prepare<[number], ArtifactRow>(`SELECT * FROM artifacts WHERE kind IN (${EXPORT_KINDS_SQL}) AND run_id = ? AND ${LISTED} ORDER BY id DESC`);
    this.getStmt = db.prepare<[number], ArtifactRow>(`SELECT * FROM artifacts WHERE kind IN (${EXPORT_KINDS_SQL}) AND id = ?`);
    this.deleteStmt = db.prepare<[number]>('DELETE FROM artifacts WHERE id = ?');
  }

  /** Paths inside the workspace are stored relative to it (as the schema says); others absolute. */
  private storedPath(p: string): string {
    const rel = path.relative(this.home, p);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : path.resolve(p);
  }

  add(e: { projectId: number; runId: number | null; format: string; out: string; bytes: number; verification: readonly VerificationDto[]; options: Record<string, unknown> }): ExportDto {
    const info = this.insertStmt.run(e.projectId, e.runId, e.format, this.storedPath(e.out), e.bytes, JSON.stringify({ verification: e.verification, options: e.options }), nowIso());
    return this.get(Number(info.lastInsertRowid));
  }

  list(filter: { projectId?: number; runId?: number } = {}): ExportDto[] {
    const rows = filter.runId !== undefined ? this.byRunStmt.all(filter.runId) : filter.projectId !== undefined ? this.byProjectStmt.all(filter.projectId) : this.listStmt.all();
    return rows.map((r) => this.toDto(r));
  }

  get(id: number): ExportDto {
    const row = this.getStmt.get(id);
    if (!row) throw new LatheError('not_found', `There is no export with id ${id}.`);
    return this.toDto(row);
  }

  remove(id: number): void {
    this.deleteStmt.run(id);
  }

  private toDto(r: ArtifactRow): ExportDto {
    const meta = JSON.parse(r.meta) as { verification?: VerificationDto[] };
    return {
      id: r.id,
      projectId: r.project_id,
      runId: r.run_id,
      format: r.kind,
      path: path.isAbsolute(r.path) ? r.path : path.join(this.home, r.path),
      bytes: r.bytes,
      verification: meta.verification ?? [],
      createdAt: r.created_at,
    };
  }
}
