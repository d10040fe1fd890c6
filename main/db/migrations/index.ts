// The ordered list of schema migrations. Add one line per new migration; never reorder or edit a released one.
import type { Migration } from './migration.js';
import { initial } from './001-initial.js';

export const MIGRATIONS: readonly Migration[] = [
  initial,
];
