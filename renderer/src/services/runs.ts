// Renderer-side access to the runs domain: configure, control and watch training runs.
import type { IRunsService, RunLogEvent, RunMetricsEvent, RunStatusEvent } from '../../../preload/contract/runs.js';
import { domainOf, onEvent } from '../bridge/lathe-client.js';

const api = () => domainOf<IRunsService>('runs');

export const runsService = {
  create: (r: Parameters<IRunsService['create']>[0]) => api().create(r),
  start: (id: number) => api().start({ id }),
  pause: (id: number) => api().pause({ id }),
  resume: (id: number) => api().resume({ id }),
  stop: (id: number) => api().stop({ id }),
  remove: (id: number) => api().delete({ id }),
  list: (projectId?: number) => api().list(projectId === undefined ? {} : { projectId }),
  get: (id: number) => api().get({ id }),
  metrics: (id: number, sinceStep?: number) => api().metrics(sinceStep === undefined ? { id } : { id, sinceStep }),
  logs: (id: number) => api().logs({ id }),
  artifacts: (id: number) => api().artifacts({ id }),
  predictions: (id: number, offset = 0, limit = 100) => api().predictions({ id, offset, limit }),
  compare: (ids: number[]) => api().compare({ ids }),
  defaults: (r: Parameters<IRunsService['defaults']>[0]) => api().defaults(r),
  cliCommand: (r: Parameters<IRunsService['cliCommand']>[0]) => api().cliCommand(r),
  fromYaml: (yaml: string) => api().fromYaml({ yaml }),
  onStatus: (cb: (e: RunStatusEvent) => void) => onEvent<RunStatusEvent>('runs.status', cb),
  onMetrics: (cb: (e: RunMetricsEvent) => void) => onEvent<RunMetricsEvent>('runs.metrics', cb),
  onLog: (cb: (e: RunLogEvent) => void) => onEvent<RunLogEvent>('runs.log', cb),
};
export type RunsService = typeof runsService;
