// Data access for the model library (table library_models, migration 006). Statements prepared once; JSON columns
// parsed here so the service sees plain objects. Holds no secrets: tokens live in the OS keychain (main/hub).
import { LatheError } from '../../preload/contract/errors.js';
import { nowIso } from './clock.js';
import type { WorkspaceDb } from './workspace-db.js';

export type LibrarySource = 'hf' | 'modelscope' | 'local';
export type LibraryStatus = 'downloading' | 'ready' | 'incomplete' | 'corrupted' | 'missing';

export interface ExpectedFile {
  readonly path: string;
  readonly size: number | null;
  readonly sha256: string | null;
  readonly gitSha1: string | null;
}

export interface FileProblem {
  readonly path: string;
  readonly problem: 'missing' | 'size' | 'checksum' | 'unreadable' | 'partial';
  readonly detail: string;
  /** Translatable form of `detail` (main/library/integrity-check.ts); absent in problems stored by older versions. */
  readonly code?: string;
  readonly params?: Readonly<Record<string, string | number>>;
}

export interface LibraryRow {
  readonly id: number;
  readonly name: string;
  readonly source: LibrarySource;
  readonly endpoint: string | null;
  readonly revision: string | null;
  readonly commit: string | null;
  /** As stored: relative to the workspace when managed. */
  readonly path: string;
  readonly managed: boolean;
  readonly status: LibraryStatus;
  readonly files: readonly ExpectedFile[];
  readonly diskBytes: number;
  readonly card: unknown;
  readonly problems: readonly FileProblem[];
  readonly addedAt: string;
  readonly updatedAt: string;
  readonly checkedAt: string | null;
}

interface Raw {
  id: number;
  name: string;
  source: string;
  endpoint: string | null;
  revision: string | null;
  commit_sha: string | null;
  path: string;
  managed: number;
  status: string;
  files: string;
  disk_bytes: number;
  card: string | null;
  problems: string;
  added_at: string;
  updated_at: string;
  checked_at: string | null;
}

export interface NewLibraryRow {
  readonly name: string;
  readonly source: LibrarySource;
  readonly endpoint: string | null;
  readonly revision: string | null;
  readonly path: string;
  readonly managed: boolean;
  readonly status: LibraryStatus;
}

export interface LibraryUpdate {
  readonly name?: string;
  readonly source?: LibrarySource;
  readonly status?: LibraryStatus;
  readonly endpoint?: string | null;
  readonly revision?: string | null;
  readonly commit?: string | null;
  readonly files?: readonly ExpectedFile[];
  readonly diskBytes?: number;
  readonly card?: unknown;
  readonly problems?: readonly FileProblem[];
  readonly checked?: boolean;
}

export class LibraryStore {
  private readonly listStmt;
  private readonly getStmt;
  private readonly byPathStmt;
  private readonly byNameStmt;
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly deleteStmt;

  constructor(db: WorkspaceDb) {
    this.listStmt = db.prepare<[], Raw>('SELECT * FROM library_models ORDER BY name COLLATE NOCASE, id');
    this.getStmt = db.prepare<[number], Raw>('SELECT * FROM library_models WHERE id = ?');
    this.byPathStmt = db.prepare<[string], Raw>('SELECT * FROM library_models WHERE path = ?');
    this.byNameStmt = db.prepare<[string], Raw>('SELECT * FROM library_models WHERE name = ? COLLATE NOCASE ORDER BY id');
    this.insertStmt = db.prepare<[string, string, string | null, string | null, string, number, string, string, string]>(
      'INSERT INTO library_models (name, source, endpoint, revision, path, managed, status, added_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.updateStmt = db.prepare<[string, string, string, string | null, string | null, string | null, string, number, string | null, string, string, string | null, number]>(
      `UPDATE library_models SET name = ?, source = ?, status = ?, endpoint = ?, revision = ?, commit_sha = ?, files = ?, disk_bytes = ?, card = ?,
         problems = ?, updated_at = ?, checked_at = ? WHERE id = ?`,
    );
    this.deleteStmt = db.prepare<[number]>('DELETE FROM library_models WHERE id = ?');
  }

  list(): LibraryRow[] {
    return this.listStmt.all().map(toRow);
  }

  get(id: number): LibraryRow {
    const raw = this.getStmt.get(id);
    if (!raw) throw new LatheError('not_found', `There is no model with id ${id} in the library. See: lathe model list`);
    return toRow(raw);
  }

  findByPath(path: string): LibraryRow | undefined {
    const raw = this.byPathStmt.get(path);
    return raw ? toRow(raw) : undefined;
  }

  findByName(name: string): LibraryRow[] {
    return this.byNameStmt.all(name).map(toRow);
  }

  insert(row: NewLibraryRow): LibraryRow {
    const now = nowIso();
    const id = Number(this.insertStmt.run(row.name, row.source, row.endpoint, row.revision, row.path, row.managed ? 1 : 0, row.status, now, now).lastInsertRowid);
    return this.get(id);
  }

  update(id: number, u: LibraryUpdate): LibraryRow {
    const cur = this.get(id);
    const now = nowIso();
    this.updateStmt.run(
      u.name ?? cur.name,
      u.source ?? cur.source,
      u.status ?? cur.status,
      u.endpoint !== undefined ? u.endpoint : cur.endpoint,
      u.revision !== undefined ? u.revision : cur.revision,
      u.commit !== undefined ? u.commit : cur.commit,
      JSON.stringify(u.files ?? cur.files),
      u.diskBytes ?? cur.diskBytes,
      u.card !== undefined ? (u.card === null ? null : JSON.stringify(u.card)) : cur.card === null ? null : JSON.stringify(cur.card),
      JSON.stringify(u.problems ?? cur.problems),
      now,
      u.checked ? now : cur.checkedAt,
      id,
    );
    return this.get(id);
  }

  remove(id: number): void {
    if (this.deleteStmt.run(id).changes === 0) throw new LatheError('not_found', `There is no model with id ${id} in the library.`);
  }
}

function parse<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toRow(r: Raw): LibraryRow {
  return {
    id: r.id,
    name: r.name,
    source: r.source as LibrarySource,
    endpoint: r.endpoint,
    revision: r.revision,
    commit: r.commit_sha,
    path: r.path,
    managed: r.managed === 1,
    status: r.status as LibraryStatus,
    files: parse<ExpectedFile[]>(r.files, []),
    diskBytes: r.disk_bytes,
    card: parse<unknown>(r.card, null),
    problems: parse<FileProblem[]>(r.problems, []),
    addedAt: r.added_at,
    updatedAt: r.updated_at,
    checkedAt: r.checked_at,
  };
}
