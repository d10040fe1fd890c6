// Runs the `lathe` CLI in-process with captured stdout/stderr, for asserting --json shapes and exit codes.
import { runCli } from '../../main/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON document (throws when it is not one). */
  json<T = any>(): T;
}

export async function runLathe(...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}
