// The user's changes to imported rows, kept in lathe.db beside the read-only row files (dataset-row-file.ts): an
// edited record (the original stays in the row file) and the excluded flag, one row per changed position only. Every
// change bumps the dataset's revision (triggers, migration 012). It reads rows with their changes applied; it does not
// know where row files are or how an import writes them.
import type Database from 'better-sqlite3';
import type { ImportedRow } from './dataset-row-file.js';

/** A row as the app sees it: as imported, with the user's edit and exclusion. */
export interface StoredRow {
  idx: number;
  source_row: number;
  record: string;
  edited_record: string | null;
  excluded: number;
}

interface EditRow {
  idx: number;
  edited_record: string | null;
  excluded: number;
}

export class RowEdits {
  private readonly oneStmt: Database.Statement<[number, number], EditRow>;
  private readonly rangeStmt: Database.Statement<[number, number, number], EditRow>;
  private readonly excludedStmt: Database.Statement<[number], number>;
  private readonly editedStmt: Database.Statement<[number], { idx: number; edited_record: string }>;
  private readonly setEditStmt?: Database.Statement<[number, number, string | null]>;
  private readonly setExcludedStmt?: Database.Statement<[number, number, number]>;
  private readonly pruneStmt?: Database.Statement<[number, number]>;
  private readonly deleteChunkStmt?: Database.Statement<[{ id: number; limit: number }]>;

  /** `readonly`: a reader's connection (no statements that write are prepared on it). */
  constructor(db: Database.Database, readonly = false) {
    this.oneStmt = db.prepare('SELECT idx, edited_record, excluded FROM dataset_row_edits WHERE dataset_id = ? AND idx = ?');
    this.rangeStmt = db.prepare('SELECT idx, edited_record, excluded FROM dataset_row_edits WHERE dataset_id = ? AND idx >= ? AND idx <= ? ORDER BY idx');
    this.excludedStmt = db.prepare<[number], number>('SELECT idx FROM dataset_row_edits WHERE dataset_id = ? AND excluded = 1 ORDER BY idx').pluck();
    this.editedStmt = db.prepare('SELECT idx, edited_record FROM dataset_row_edits WHERE dataset_id = ? AND edited_record IS NOT NULL ORDER BY idx');
    if (readonly) return;
    this.setEditStmt = db.prepare(
      'INSERT INTO dataset_row_edits (dataset_id, idx, edited_record) VALUES (?, ?, ?) ON CONFLICT (dataset_id, idx) DO UPDATE SET edited_record = excluded.edited_record',
    );
    this.setExcludedStmt = db.prepare(
      'INSERT INTO dataset_row_edits (dataset_id, idx, excluded) VALUES (?, ?, ?) ON CONFLICT (dataset_id, idx) DO UPDATE SET excluded = excluded.excluded',
    );
    // A position back to as imported needs no row here.
    this.pruneStmt = db.prepare('DELETE FROM dataset_row_edits WHERE dataset_id = ? AND idx = ? AND edited_record IS NULL AND excluded = 0');
    this.deleteChunkStmt = db.prepare('DELETE FROM dataset_row_edits WHERE dataset_id = @id AND idx IN (SELECT idx FROM dataset_row_edits WHERE dataset_id = @id ORDER BY idx LIMIT @limit)');
  }

  /** `row` with its changes applied. */
  apply(datasetId: number, row: ImportedRow): StoredRow {
    const e = this.oneStmt.get(datasetId, row.idx);
    return { idx: row.idx, source_row: row.source_row, record: row.record, edited_record: e?.edited_record ?? null, excluded: e?.excluded ?? 0 };
  }

  /** `rows` (in idx order) with their changes applied: one query for the range they span. */
  applyAll(datasetId: number, rows: readonly ImportedRow[]): StoredRow[] {
    if (rows.length === 0) return [];
    const edits = this.rangeStmt.all(datasetId, rows[0]!.idx, rows[rows.length - 1]!.idx);
    const out: StoredRow[] = new Array(rows.length);
    let k = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      while (k < edits.length && edits[k]!.idx < r.idx) k++;
      const e = k < edits.length && edits[k]!.idx === r.idx ? edits[k] : undefined;
      out[i] = { idx: r.idx, source_row: r.source_row, record: r.record, edited_record: e?.edited_record ?? null, excluded: e?.excluded ?? 0 };
    }
    return out;
  }

  /** Excluded positions, in order. */
  excluded(datasetId: number): number[] {
    return this.excludedStmt.all(datasetId);
  }

  /** Edited positions and their edited records, in order. */
  edited(datasetId: number): { idx: number; edited_record: string }[] {
    return this.editedStmt.all(datasetId);
  }

  setEdit(datasetId: number, idx: number, recordJson: string | null): void {
    this.setEditStmt!.run(datasetId, idx, recordJson);
    this.pruneStmt!.run(datasetId, idx);
  }

  setExcluded(datasetId: number, idx: number, excluded: boolean): void {
    this.setExcludedStmt!.run(datasetId, idx, excluded ? 1 : 0);
    this.pruneStmt!.run(datasetId, idx);
  }

  /** Deletes up to `limit` of a dataset's changes (its removal); the number deleted. */
  deleteChunk(datasetId: number, limit: number): number {
    return this.deleteChunkStmt!.run({ id: datasetId, limit }).changes;
  }
}

/** Positions of `all` (in order) that are not in `without` (in order). */
export function withoutIdxs(all: readonly number[], without: readonly number[]): number[] {
  if (without.length === 0) return all.slice();
  const out: number[] = [];
  let k = 0;
  for (const i of all) {
    while (k < without.length && without[k]! < i) k++;
    if (k < without.length && without[k] === i) continue;
    out.push(i);
  }
  return out;
}
