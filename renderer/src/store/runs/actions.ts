// The runs slice's actions: list a project's runs, defaults for a new run, create/start/pause/resume/stop/delete,
// the dashboard's run with its history, and live status/metrics/log events folded in as they arrive.
import type { StateCreator } from 'zustand';
import type { CompareResult, PredictionsResult, RunConfig, RunDetailDto, RunDto, RunStatusEvent, YamlResult } from '../../../../preload/contract/runs.js';
import { messageOf } from '../../bridge/lathe-error.js';
import type { RunsService } from '../../services/runs.js';
import type { LatheStore } from '../index.js';
import { LOG_LINES_KEPT, runsInitialState, type LiveRun, type RunsState } from './initialState.js';
import { appendLog, mergeMetrics } from './live-metrics.js';

export interface RunsActions {
  loadRuns(projectId: number): Promise<void>;
  loadRunDefaults(model: string | undefined, config?: Partial<RunConfig>): Promise<void>;
  showCliCommand(config: RunConfig, name?: string): Promise<void>;
  hideCliCommand(): void;
  createRun(projectId: number, config: RunConfig, name?: string): Promise<RunDto | undefined>;
  pauseRun(id: number): Promise<void>;
  resumeRun(id: number): Promise<void>;
  stopRun(id: number): Promise<void>;
  deleteRun(id: number): Promise<boolean>;
  /** Opens a run on the dashboard: loads its metric history and log tail. */
  openRun(id: number | undefined): Promise<void>;
  /** Subscribes to run events for the whole app; returns the unsubscribe. */
  watchRuns(): () => void;
  toggleCompare(id: number): void;
  compareRuns(ids: readonly number[]): Promise<CompareResult | undefined>;
  loadPredictions(id: number, offset: number, limit: number): Promise<PredictionsResult | undefined>;
  /** A LLaMA-Factory training YAML as a run configuration (with what could not be carried over). */
  configFromYaml(yaml: string): Promise<YamlResult | undefined>;
  /** A run with its configuration. */
  loadRunDetail(id: number): Promise<RunDetailDto | undefined>;
  clearRunsError(): void;
}

export type RunsSlice = RunsState & RunsActions;

const EMPTY_LIVE: LiveRun = { metrics: [], log: [], logTruncated: false };

export const createRunsSlice =
  (service: RunsService): StateCreator<LatheStore, [], [], RunsSlice> =>
  (set, get) => {
    const upsert = (run: RunDto) => {
      const runs = get().runs;
      if (run.projectId !== get().runsProjectId) return;
      set({ runs: runs.some((r) => r.id === run.id) ? runs.map((r) => (r.id === run.id ? run : r)) : [run, ...runs] });
    };
    // A reply is a snapshot of the run taken when main served the request; a status event that arrived after the
    // request was sent can be newer (the engine reported 'running' while runs.get or runs.create was on its way), so
    // it wins over the reply instead of being overwritten by it. Events and replies share one ordered channel.
    let eventSeq = 0;
    const lastStatus = new Map<number, { seq: number; e: RunStatusEvent }>();
    const noteStatus = (e: RunStatusEvent) => {
      lastStatus.delete(e.id);
      lastStatus.set(e.id, { seq: ++eventSeq, e });
      if (lastStatus.size > 64) lastStatus.delete(lastStatus.keys().next().value!);
    };
    const newest = (run: RunDto, askedAt: number): RunDto => {
      const s = lastStatus.get(run.id);
      if (!s || s.seq <= askedAt) return run;
      return { ...run, status: s.e.status, step: Math.max(run.step, s.e.step), maxSteps: s.e.maxSteps, error: s.e.error };
    };
    /** Calls main and brings the run in its reply up to date with status events that overtook it. */
    const ask = async <T extends RunDto>(work: () => Promise<T>): Promise<T | undefined> => {
      const askedAt = eventSeq;
      const run = await guard(work);
      return run && (newest(run, askedAt) as T); // newest keeps every field of the reply
    };
    const liveOf = (id: number) => get().live[id] ?? EMPTY_LIVE;
    const setLive = (id: number, patch: Partial<LiveRun>) => set({ live: { ...get().live, [id]: { ...liveOf(id), ...patch } } });
    const guard = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await work();
      } catch (err) {
        set({ runsError: messageOf(err) });
        return undefined;
      }
    };
    const control = async (work: () => Promise<RunDto>) => {
      const run = await ask(work);
      if (run) upsert(run);
    };
    return {
      ...runsInitialState,
      async loadRuns(projectId) {
        const same = get().runsProjectId === projectId;
        set({ runsProjectId: projectId, runsStatus: same && get().runsStatus === 'ready' ? 'ready' : 'loading', ...(same ? {} : { runs: [], compareIds: [] }) });
        try {
          const askedAt = eventSeq;
          const runs = (await service.list(projectId)).map((r) => newest(r, askedAt));
          if (get().runsProjectId === projectId) set({ runs, runsStatus: 'ready' });
        } catch (err) {
          set({ runsStatus: 'error', runsError: messageOf(err) });
        }
      },
      async loadRunDefaults(model, config) {
        set({ defaultsBusy: true });
        const d = await guard(() => service.defaults({ ...(model ? { model } : {}), ...(config ? { config } : {}) }));
        set({ defaultsBusy: false, ...(d ? { runDefaults: d } : {}) });
      },
      async showCliCommand(config, name) {
        const r = await guard(() => service.cliCommand(name ? { config, name } : { config }));
        if (r) set({ cliCommand: r });
      },
      hideCliCommand: () => set({ cliCommand: undefined }),
      async createRun(projectId, config, name) {
        const run = await ask(() => service.create({ projectId, config, start: true, ...(name?.trim() ? { name: name.trim() } : {}) }));
        if (!run) return undefined;
        if (get().runsProjectId !== projectId) set({ runsProjectId: projectId, runs: [] });
        upsert(run);
        set({ activeRunId: run.id, live: { ...get().live, [run.id]: EMPTY_LIVE } });
        return run;
      },
      pauseRun: (id) => control(() => service.pause(id)),
      resumeRun: (id) => control(() => service.resume(id)),
      stopRun: (id) => control(() => service.stop(id)),
      async deleteRun(id) {
        const ok = await guard(() => service.remove(id));
        if (!ok) return false;
        const { [id]: _gone, ...live } = get().live;
        set({ runs: get().runs.filter((r) => r.id !== id), live, activeRunId: get().activeRunId === id ? undefined : get().activeRunId, compareIds: get().compareIds.filter((x) => x !== id) });
        return true;
      },
      async openRun(id) {
        set({ activeRunId: id });
        if (id === undefined) return;
        // The row goes in as soon as its reply is here: held until the history arrives, it would overwrite a status
        // event that came in between (the dashboard showed 'preparing' under a live loss chart).
        const detail = ask(() => service.get(id)).then((d) => d && upsert(d));
        const [metrics, logs] = await Promise.all([guard(() => service.metrics(id)), guard(() => service.logs(id)), detail]);
        // Events that arrived meanwhile are kept; history fills in before them.
        const held = liveOf(id);
        setLive(id, {
          metrics: mergeMetrics(metrics ?? [], held.metrics),
          log: logs ? appendLog(logs.text.split('\n').filter((l) => l.length > 0), [], LOG_LINES_KEPT) : held.log,
          logTruncated: logs?.truncated ?? held.logTruncated,
        });
      },
      watchRuns() {
        const offs = [
          service.onStatus((e) => {
            if (e.removed) {
              set({ runs: get().runs.filter((r) => r.id !== e.id) });
              return;
            }
            noteStatus(e);
            const run = get().runs.find((r) => r.id === e.id);
            if (run) upsert({ ...run, status: e.status, step: e.step, maxSteps: e.maxSteps, error: e.error });
            // A run reaching an end state has new final numbers (losses, scores): fetch the row once.
            if (['completed', 'failed', 'interrupted'].includes(e.status)) void ask(() => service.get(e.id)).then((d) => d && upsert(d));
          }),
          service.onMetrics((e) => {
            if (e.id !== get().activeRunId && !get().live[e.id]) return;
            setLive(e.id, { metrics: mergeMetrics(liveOf(e.id).metrics, e.points) });
            const last = [...e.points].reverse().find((p) => p.kind === 'train' && p.loss !== null);
            const run = get().runs.find((r) => r.id === e.id);
            if (run && last) upsert({ ...run, lastLoss: last.loss, step: Math.max(run.step, last.step) });
          }),
          service.onLog((e) => {
            if (e.id !== get().activeRunId && !get().live[e.id]) return;
            setLive(e.id, { log: appendLog(liveOf(e.id).log, e.lines, LOG_LINES_KEPT) });
          }),
        ];
        return () => offs.forEach((off) => off());
      },
      toggleCompare(id) {
        const ids = get().compareIds;
        set({ compareIds: ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id].slice(-8) });
      },
      compareRuns: (ids) => guard(() => service.compare([...ids])),
      loadPredictions: (id, offset, limit) => guard(() => service.predictions(id, offset, limit)),
      loadRunDetail: (id) => guard(() => service.get(id)),
      configFromYaml: (yaml) => guard(() => service.fromYaml(yaml)),
      clearRunsError: () => set({ runsError: undefined }),
    };
  };
