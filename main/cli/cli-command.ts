// What a `lathe` subcommand is and what it is given. Commands parse their own flags (util.parseArgs) and report
// through CliOutput, so `--json` behaves the same everywhere.
import type { Workspace } from '../workspace/workspace.js';
import type { CliOutput } from './cli-output.js';

export interface CliContext {
  readonly json: boolean;
  readonly home: string;
  readonly out: CliOutput;
  /** Opened on first use, closed when the command ends. */
  workspace(): Workspace;
  /** Aborted on Ctrl-C / SIGTERM: long commands stop cleanly. */
  readonly signal: AbortSignal;
}

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  /** Shown by `lathe help NAME` and on a usage error. */
  readonly usage: string;
  /** Resolves to the exit code (0 when omitted). */
  run(ctx: CliContext, args: string[]): Promise<number | void>;
}
