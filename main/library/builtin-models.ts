// The models that come with Lathe (the demo's tiny model, which Train proposes on a fresh workspace): the library
// lists them beside the user's as built-in entries. They are not rows of the workspace database (their folder moves
// with the install) and cannot be removed or repaired; this file only names them.
import fs from 'node:fs';
import path from 'node:path';
import { DEMO_MODEL } from '../runs/run-defaults.js';

/** Library ids of built-in models: below the database's, which start at 1. */
export const BUILTIN_DEMO_MODEL_ID = 0;

export interface BuiltInModel {
  readonly id: number;
  readonly name: string;
  readonly path: string;
}

/** The built-in models present in this install (a stripped-down build may ship without the demo model). */
export function builtInModels(): readonly BuiltInModel[] {
  const demo = { id: BUILTIN_DEMO_MODEL_ID, name: path.basename(DEMO_MODEL), path: DEMO_MODEL };
  return fs.existsSync(path.join(demo.path, 'config.json')) ? [demo] : [];
}

export function isBuiltInId(id: number): boolean {
  return id <= BUILTIN_DEMO_MODEL_ID;
}
