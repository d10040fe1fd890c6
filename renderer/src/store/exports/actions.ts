// The exports slice's actions: start one export per chosen format, one after another (each is heavy), follow
// their progress and results from events, cancel, list and remove what was kept.
import type { StateCreator } from 'zustand';
import type { ExportJobDto, StartExportRequest } from '../../../../preload/contract/exports.js';
import { messageOf } from '../../bridge/lathe-error.js';
import type { ExportsService } from '../../services/exports.js';
import type { LatheStore } from '../index.js';
import { exportsInitialState, type ExportsState } from './initialState.js';

export interface ExportsActions {
  loadExports(projectId: number): Promise<void>;
  /** Runs the requests in order; resolves when all have ended. */
  startExports(projectId: number, requests: readonly StartExportRequest[]): Promise<void>;
  cancelExport(jobId: string): Promise<void>;
  removeExport(id: number): Promise<void>;
  watchExports(): () => void;
  clearExportsError(): void;
}

export type ExportsSlice = ExportsState & ExportsActions;

const ENDED = new Set(['completed', 'failed', 'cancelled']);

export const createExportsSlice =
  (service: ExportsService): StateCreator<LatheStore, [], [], ExportsSlice> =>
  (set, get) => {
    const putJob = (job: ExportJobDto) => {
      const jobs = get().exportJobs;
      set({ exportJobs: jobs.some((j) => j.jobId === job.jobId) ? jobs.map((j) => (j.jobId === job.jobId ? job : j)) : [...jobs, job] });
    };
    const waiters = new Map<string, () => void>();
    let cancelledAll = false;
    return {
      ...exportsInitialState,
      async loadExports(projectId) {
        set({ exportsProjectId: projectId });
        try {
          const list = await service.list(projectId);
          if (get().exportsProjectId === projectId) set({ exportsList: list });
        } catch (err) {
          set({ exportsError: messageOf(err) });
        }
      },
      async startExports(projectId, requests) {
        cancelledAll = false;
        set({ exportJobs: [], exportsError: undefined });
        for (const r of requests) {
          if (cancelledAll) break;
          try {
            const job = await service.start(r);
            putJob(job);
            if (!ENDED.has(job.status)) {
              await new Promise<void>((resolve) => {
                waiters.set(job.jobId, resolve);
                // The finished event may have raced the start answer: ask once.
                void service.get(job.jobId).then((j) => {
                  putJob(j);
                  if (ENDED.has(j.status)) waiters.get(job.jobId)?.(), waiters.delete(job.jobId);
                });
              });
            }
          } catch (err) {
            set({ exportsError: messageOf(err) });
            break;
          }
        }
        await get().loadExports(projectId);
      },
      async cancelExport(jobId) {
        cancelledAll = true;
        try {
          putJob(await service.cancel(jobId));
        } catch (err) {
          set({ exportsError: messageOf(err) });
        }
      },
      async removeExport(id) {
        try {
          await service.remove(id);
          set({ exportsList: get().exportsList.filter((e) => e.id !== id) });
        } catch (err) {
          set({ exportsError: messageOf(err) });
        }
      },
      watchExports() {
        const offs = [
          service.onProgress((e) => {
            const job = get().exportJobs.find((j) => j.jobId === e.jobId);
            if (job && !ENDED.has(job.status)) putJob({ ...job, fraction: e.fraction, message: e.message, status: e.phase === 'verifying' ? 'verifying' : job.status });
          }),
          service.onFinished((e) => {
            if (!get().exportJobs.some((j) => j.jobId === e.jobId)) return;
            putJob(e.job);
            waiters.get(e.jobId)?.();
            waiters.delete(e.jobId);
          }),
        ];
        return () => offs.forEach((off) => off());
      },
      clearExportsError: () => set({ exportsError: undefined }),
    };
  };
