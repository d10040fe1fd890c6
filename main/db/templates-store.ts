// User-defined templates in the workspace's `templates` table (migration 001): one JSON definition per name.
// Validates on the way in and out; knows nothing of built-ins or rendering.
import { LatheError } from '../../preload/contract/errors.js';
import { TemplateSpec } from '../../preload/contract/templates.js';
import { nowIso } from './clock.js';
import type { WorkspaceDb } from './workspace-db.js';

interface TemplateRow {
  name: string;
  definition: string;
}

export class TemplatesStore {
  private readonly listStmt;
  private readonly getStmt;
  private readonly upsertStmt;
  private readonly deleteStmt;

  constructor(db: WorkspaceDb) {
    this.listStmt = db.prepare<[], TemplateRow>('SELECT name, definition FROM templates ORDER BY name');
    this.getStmt = db.prepare<[string], TemplateRow>('SELECT name, definition FROM templates WHERE name = ?');
    this.upsertStmt = db.prepare<[string, string, string, string]>(
      'INSERT INTO templates (name, definition, created_at, updated_at) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT(name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at',
    );
    this.deleteStmt = db.prepare<[string]>('DELETE FROM templates WHERE name = ?');
  }

  list(): TemplateSpec[] {
    return this.listStmt.all().flatMap((r) => {
      const parsed = TemplateSpec.safeParse(JSON.parse(r.definition));
      return parsed.success ? [parsed.data] : [];
    });
  }

  get(name: string): TemplateSpec | undefined {
    const row = this.getStmt.get(name);
    if (!row) return undefined;
    const parsed = TemplateSpec.safeParse(JSON.parse(row.definition));
    if (!parsed.success) throw new LatheError('bad_input', `Saved template "${name}" is not valid: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data;
  }

  save(spec: TemplateSpec): TemplateSpec {
    const now = nowIso();
    this.upsertStmt.run(spec.name, JSON.stringify(spec), now, now);
    return spec;
  }

  remove(name: string): void {
    if (this.deleteStmt.run(name).changes === 0) throw new LatheError('not_found', `There is no saved template named "${name}".`);
  }
}
