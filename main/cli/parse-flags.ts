// Flag parsing for subcommands: node's util.parseArgs with strict checking, turned into a usage error that names
// the command, plus the global flags (--home, --json) that may appear anywhere on the line.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LatheError } from '../../preload/contract/errors.js';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<O extends FlagSpec>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new LatheError('invalid_request', `${command}: ${(err as Error).message}`);
  }
}

export interface GlobalFlags {
  home?: string;
  json: boolean;
  help: boolean;
  rest: string[];
}

/** Pulls --home DIR / --home=DIR, --json and --help/-h out of argv wherever they are. */
export function extractGlobalFlags(argv: readonly string[]): GlobalFlags {
  const out: GlobalFlags = { json: false, help: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.rest.push(...argv.slice(i));
      break;
    }
    if (a === '--json') out.json = true;
    else if (a === '--help' || a === '-h') out.help = true;
    else if (a === '--home') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new LatheError('invalid_request', '--home needs a folder: --home DIR');
      out.home = v;
    } else if (a.startsWith('--home=')) out.home = a.slice('--home='.length);
    else out.rest.push(a);
  }
  return out;
}

/** A positive integer flag value, or a usage error naming the flag. */
export function intFlag(name: string, value: string | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new LatheError('invalid_request', `--${name} must be a whole number between ${min} and ${max}, not “${value}”.`);
  return n;
}
