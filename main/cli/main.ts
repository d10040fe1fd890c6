// The `lathe` entry point: global flags, subcommand dispatch, exit codes. Runs on plain Node (no Electron).
// Exit codes: 0 ok, 1 failed, 2 usage error, 130 interrupted.
import { LatheError } from '../../preload/contract/errors.js';
import { resolveHome } from '../workspace/default-home.js';
import { openWorkspace, type Workspace } from '../workspace/workspace.js';
import type { CliContext } from './cli-command.js';
import { createCliOutput, type Writable } from './cli-output.js';
import { COMMANDS } from './commands/index.js';
import { extractGlobalFlags } from './parse-flags.js';

export interface CliIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

export async function runCli(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let json = argv.includes('--json');
  let out = createCliOutput(json, io.stdout, io.stderr);
  let workspace: Workspace | undefined;
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const flags = extractGlobalFlags(argv);
    json = flags.json;
    out = createCliOutput(json, io.stdout, io.stderr);
    const [name, ...args] = flags.rest;
    if (!name || name === 'help') {
      const topic = args[0] && COMMANDS.find((c) => c.name === args[0]);
      out.result(topic ? { command: topic.name, usage: topic.usage } : { commands: COMMANDS.map((c) => ({ name: c.name, summary: c.summary })) }, () => (topic ? topic.usage : help()));
      return name || flags.help ? 0 : 2;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new LatheError('invalid_request', `Unknown command “${name}”. Run: lathe help`);
    if (flags.help) {
      out.result({ command: command.name, usage: command.usage }, () => command.usage);
      return 0;
    }
    const home = resolveHome(flags.home);
    const ctx: CliContext = {
      json,
      home,
      out,
      signal: controller.signal,
      workspace: () => (workspace ??= openWorkspace(home)),
    };
    const code = (await command.run(ctx, args)) ?? 0;
    return controller.signal.aborted && code === 0 && command.name !== 'serve' ? 130 : code;
  } catch (err) {
    out.error(err);
    return err instanceof LatheError && err.code === 'invalid_request' ? 2 : 1;
  } finally {
    workspace?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: lathe [--home DIR] [--json] COMMAND [...]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global flags: --home DIR (workspace folder; default $LATHE_HOME or the OS app-data folder), --json (machine-readable output).',
    'lathe help COMMAND shows a command\'s usage.',
  ].join('\n');
}
