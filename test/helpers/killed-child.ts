// A child process a test kills mid-work: the script bundled from source text (imports resolved from the repository
// root, packages left external), spawned with its output captured, and a wait until it has done enough to be killed.
// It does not kill the child itself (the test decides when).
import { spawn } from 'node:child_process';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { expect } from 'vitest';

/** esbuild options for bundling a Node 20 ESM script as the built app would run it. */
export const NODE_BUNDLE = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'silent' } as const;

/** Bundles the TypeScript source `contents` (relative imports from the repository root) to `outfile`. */
export async function bundleScript(contents: string, outfile: string): Promise<void> {
  await esbuild.build({ ...NODE_BUNDLE, stdin: { contents, resolveDir: path.resolve('.'), loader: 'ts' }, outfile });
}

export interface KillableChild {
  /** Its stdout and stderr so far. */
  out(): string;
  /** Resolves to the signal that ended it (null: it exited by itself). */
  readonly exited: Promise<NodeJS.Signals | null>;
  kill(signal: NodeJS.Signals): void;
}

/** Runs the bundled script `file` with `args` under this Node. */
export function spawnChild(file: string, args: readonly string[]): KillableChild {
  const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  child.stderr.on('data', (b) => (out += b));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  return { out: () => out, exited, kill: (signal) => child.kill(signal) };
}

/**
 * Polls `ready()` every `everyMs` until it is true; fails with `what` and the child's output after `timeoutMs`.
 * `check` runs on every poll (assertions that must hold meanwhile).
 */
export async function waitForChild(child: KillableChild, ready: () => boolean, what: string, opts: { everyMs?: number; timeoutMs?: number; check?: () => void } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  while (!ready()) {
    expect(Date.now(), `${what}: ${child.out()}`).toBeLessThan(deadline);
    opts.check?.();
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 10));
  }
}
