// Default run names: "<model> · <datasets> #N" with N counted per project. The high-water mark is kept in the
// workspace settings, so a deleted run's number is never handed out again; it does not rename existing runs.
import path from 'node:path';
import type { RunConfig, RunDatasetRef } from '../../preload/contract/runs.js';
import { DatasetsStore } from '../db/datasets-store.js';
import { ProjectsStore } from '../db/projects-store.js';
import { RunsStore } from '../db/runs-store.js';
import { SettingsStore } from '../db/settings-store.js';
import type { WorkspaceDb } from '../db/workspace-db.js';

/** What the settings hold per project; `created` tells a project apart from a later one that reused its id. */
interface RunCounter {
  readonly created: string;
  readonly last: number;
}

const counterKey = (projectId: number): string => `runs.lastNumber.${projectId}`;
const NUMBERED = / #(\d+)$/;

/**
 * The next run number of a project, recorded as taken; call it inside the transaction that creates the run.
 * Starts above every number already in a run name of the project (workspaces from before numbering).
 */
export function takeRunNumber(db: WorkspaceDb, projectId: number): number {
  const settings = new SettingsStore(db);
  const created = new ProjectsStore(db).get(projectId).createdAt;
  const stored = settings.get<RunCounter>(counterKey(projectId));
  let last = stored && stored.created === created ? stored.last : 0;
  for (const r of new RunsStore(db).list(projectId)) last = Math.max(last, Number(NUMBERED.exec(r.row.name)?.[1] ?? 0));
  const next = last + 1;
  settings.set(counterKey(projectId), { created, last: next } satisfies RunCounter);
  return next;
}

function datasetLabel(db: WorkspaceDb, ref: RunDatasetRef): string {
  if ('name' in ref) return ref.name;
  if ('file' in ref) return path.basename(ref.file);
  try {
    return new DatasetsStore(db).get(ref.id).name;
  } catch {
    return `dataset ${ref.id}`;
  }
}

/** "lathe-tiny-llama · support-faq #3": the model folder, the datasets by name, the project's run number. */
export function defaultRunName(db: WorkspaceDb, config: RunConfig, number: number): string {
  const model = path.basename(path.resolve(config.model));
  const data = config.datasets.map((d) => datasetLabel(db, d)).join(', ');
  const name = `${model}${data ? ` · ${data}` : ''}`;
  const suffix = ` #${number}`;
  return `${name.length + suffix.length > 100 ? `${name.slice(0, 99 - suffix.length)}…` : name}${suffix}`;
}
