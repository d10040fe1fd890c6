// What a schema migration is. Migrations are plain SQL-running functions, numbered, applied in order, never edited
// once released: a change to the schema is a new migration.
import type Database from 'better-sqlite3';

export interface Migration {
  /** Strictly increasing; becomes PRAGMA user_version once applied. */
  readonly version: number;
  readonly name: string;
  up(db: Database.Database): void;
}
