// The CLI's one way to speak: with --json, exactly one JSON document (or one per line for streams) on stdout and
// human text on stderr; without it, human text on stdout. Errors always become {error:{code,message}} in --json.
import { LatheError } from '../../preload/contract/errors.js';

export interface CliOutput {
  /** The command's result: a JSON document with --json, else `human(value)` (or pretty JSON). */
  result<T>(value: T, human?: (value: T) => string): void;
  /** One line of a stream (`lathe train --json`): a JSON object per line. */
  line(value: unknown, human?: string): void;
  /** A message for people; stderr in --json mode so stdout stays machine-readable. */
  info(message: string): void;
  error(err: unknown): void;
}

export interface Writable {
  write(chunk: string): unknown;
}

export function createCliOutput(json: boolean, stdout: Writable = process.stdout, stderr: Writable = process.stderr): CliOutput {
  return {
    result(value, human) {
      if (json) stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      else stdout.write(`${human ? human(value) : JSON.stringify(value, null, 2)}\n`);
    },
    line(value, human) {
      if (json) stdout.write(`${JSON.stringify(value)}\n`);
      else if (human !== undefined) stdout.write(`${human}\n`);
    },
    info(message) {
      (json ? stderr : stdout).write(`${message}\n`);
    },
    error(err) {
      const e = LatheError.from(err);
      if (json) stdout.write(`${JSON.stringify({ error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } })}\n`);
      stderr.write(`lathe: ${e.message}\n`);
    },
  };
}
