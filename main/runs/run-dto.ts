// Stored run → the contract's RunDto (status, newest losses, scores, adapter, resumability). Reads only the DB.
import path from 'node:path';
import type { RunDetailDto, RunDto } from '../../preload/contract/runs.js';
import type { RunsStore, StoredRun } from '../db/runs-store.js';
import type { Workspace } from '../workspace/workspace.js';
import { runFolder } from './run-folder.js';

export function toRunDto(run: StoredRun, store: RunsStore, workspace: Workspace): RunDto {
  const r = run.row;
  const artifacts = store.artifacts(r.id);
  const adapter = artifacts.filter((a) => a.kind === 'adapter').pop();
  const stoppedEarly = r.status === 'completed' && r.max_steps !== null && r.step < r.max_steps;
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    status: r.status,
    step: r.step,
    maxSteps: r.max_steps,
    parentRunId: r.parent_run_id,
    error: run.error,
    lastLoss: r.last_loss,
    lastEvalLoss: r.last_eval_loss,
    scores: run.scores,
    prepared: run.prepared
      ? {
          trainRecords: Number(run.prepared.trainRecords ?? 0),
          evalRecords: Number(run.prepared.evalRecords ?? 0),
          tokens: Number(run.prepared.tokens ?? 0),
          newRowsSinceParent: typeof run.prepared.newRowsSinceParent === 'number' ? run.prepared.newRowsSinceParent : null,
        }
      : null,
    folder: runFolder(workspace.paths, r.project_id, r.id).rel,
    adapterDir: adapter ? path.join(workspace.paths.home, adapter.path) : null,
    resumable: r.status === 'failed' || r.status === 'interrupted' || stoppedEarly,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export function toRunDetailDto(run: StoredRun, store: RunsStore, workspace: Workspace): RunDetailDto {
  return { ...toRunDto(run, store, workspace), config: run.config };
}
