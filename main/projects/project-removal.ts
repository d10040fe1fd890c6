// Deletes removed projects after the fact: ProjectsStore.remove() only hides a project and its datasets (one tiny
// transaction); this deletes what it owns a chunk per transaction (its datasets' rows through the dataset removal's
// chunks, its runs' metrics, its runs and artifacts), yielding between chunks as long as the last one took, so other
// writers never wait long; then its folder, then its row. Removals cut short by a kill are resumed at the next start.
// It does not decide what is removed (the service does) and never touches a project that is not 'removing'.
import fs from 'node:fs';
import type { ProjectsStore } from '../db/projects-store.js';

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

export class ProjectRemovalQueue {
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;

  /** `folder(id)`: the project's folder (workspace.paths.project, kept inside the workspace by resolveInside). */
  constructor(
    private readonly store: ProjectsStore,
    private readonly folder: (id: number) => string,
    private readonly options: ProjectRemovalOptions = {},
  ) {}

  /**
   * Queues the deletion of a removed project (one project at a time); resolves once it is gone (true), or once
   * stop() was called or it waits for an import that the options say not to wait for (false: the next start finishes it).
   */
  add(id: number): Promise<boolean> {
    const done = this.chain.then(() => this.deleteProject(id));
    this.chain = done.catch(() => undefined);
    return done;
  }

  /** Queues every removal a previous process left unfinished; resolves to their ids once done. */
  async resume(): Promise<number[]> {
    const ids = this.store.removing();
    await Promise.all(ids.map((id) => this.add(id)));
    return ids;
  }

  /** Resolves when nothing is queued any more. */
  async idle(): Promise<void> {
    await this.chain;
  }

  /** Stops after the current chunk (the workspace is closing); what is left is resumed at the next start. */
  stop(): void {
    this.stopped = true;
  }

  private async deleteProject(id: number): Promise<boolean> {
    while (!this.stopped) {
      const t0 = performance.now();
      const step = this.store.deleteRemovedChunk(id);
      if (step === 'gone') return true;
      if (step === 'empty') {
        // The folder before the row: a kill in between leaves a 'removing' row, and the next start removes both.
        await fs.promises.rm(this.folder(id), { recursive: true, force: true });
        this.store.deleteRemoved(id);
        return true;
      }
      if (step === 'waiting' && this.options.waitForImports === false) return false;
      const pause = step === 'waiting' ? IMPORT_POLL_MS : Math.min(performance.now() - t0, 250);
      await new Promise<void>((resolve) => setTimeout(resolve, pause));
    }
    return false;
  }
}
