// Deletes removed projects after the fact: ProjectsStore.remove() only hides a project and its datasets (one tiny
// transaction); this deletes what it owns a chunk per transaction (its datasets' rows through the dataset removal's
// chunks, its runs' metrics, its runs and artifacts), yielding between chunks (ChunkedBackgroundJob), so other
// writers never wait long; then its folder, then its row. Removals cut short by a kill are resumed at the next start.
// It does not decide what is removed (the service does) and never touches a project that is not 'removing'.
import fs from 'node:fs';
import type { ProjectsStore } from '../db/projects-store.js';
import { ChunkedBackgroundJob, type ChunkOutcome } from '../services/chunked-background-job.js';

/** How long to wait before looking again while an import still writes into a removed project. */
const IMPORT_POLL_MS = 500;

export interface ProjectRemovalOptions {
  /**
   * Whether to wait for an import still writing into a removed project (the app: its importer or the datasets
   * service's clean-up of killed imports ends it). false: leave that project for the next start (a one-shot CLI
   * command, which runs no such clean-up and must not wait for a dead process).
   */
  readonly waitForImports?: boolean;
}

/**
 * add(id) queues the deletion of a removed project; it resolves once it is gone (true), or once stop() was called or
 * it waits for an import that the options say not to wait for (false: the next start finishes it).
 */
export class ProjectRemovalQueue extends ChunkedBackgroundJob<boolean> {
  /** `folder(id)`: the project's folder (workspace.paths.project, kept inside the workspace by resolveInside). */
  constructor(
    private readonly store: ProjectsStore,
    private readonly folder: (id: number) => string,
    private readonly options: ProjectRemovalOptions = {},
  ) {
    super(false);
  }

  protected unfinished(): number[] {
    return this.store.removing();
  }

  protected async chunk(id: number): Promise<ChunkOutcome<boolean>> {
    const step = this.store.deleteRemovedChunk(id);
    if (step === 'gone') return { done: true };
    if (step === 'empty') {
      // The folder before the row: a kill in between leaves a 'removing' row, and the next start removes both.
      await fs.promises.rm(this.folder(id), { recursive: true, force: true });
      this.store.deleteRemoved(id);
      return { done: true };
    }
    if (step === 'waiting') return this.options.waitForImports === false ? { done: false } : { pauseMs: IMPORT_POLL_MS };
    return {};
  }
}
