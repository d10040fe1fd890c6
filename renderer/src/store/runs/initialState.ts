// The runs slice's state: the project's runs, the one on the dashboard with its live metrics and log tail,
// the defaults for a new run, and the CLI command last asked for.
import type { CliCommandResult, MetricPoint, RunDefaultsDto, RunDto } from '../../../../preload/contract/runs.js';

export interface LiveRun {
  readonly metrics: readonly MetricPoint[];
  readonly log: readonly string[];
  readonly logTruncated: boolean;
}

export interface RunsState {
  runs: readonly RunDto[];
  runsProjectId: number | undefined;
  runsStatus: 'idle' | 'loading' | 'ready' | 'error';
  runsError: string | undefined;
  activeRunId: number | undefined;
  live: Readonly<Record<number, LiveRun>>;
  runDefaults: RunDefaultsDto | undefined;
  defaultsBusy: boolean;
  cliCommand: CliCommandResult | undefined;
  compareIds: readonly number[];
}

export const runsInitialState: RunsState = {
  runs: [],
  runsProjectId: undefined,
  runsStatus: 'idle',
  runsError: undefined,
  activeRunId: undefined,
  live: {},
  runDefaults: undefined,
  defaultsBusy: false,
  cliCommand: undefined,
  compareIds: [],
};

export const LOG_LINES_KEPT = 400;
