// One lathe-engine child process: spawned without a shell, stdout parsed as JSON-lines events, stdin used for
// commands (stop, pause, resume, checkpoint, generate), stderr and non-JSON noise forwarded as log lines.
// Does not know about runs or the DB: main/runs decides what an event means.
import { spawn, type ChildProcess } from 'node:child_process';
import { LatheError } from '../../preload/contract/errors.js';
import type { EngineEnd } from './engine-exit.js';
import { JsonLineParser } from './json-lines.js';

export interface EngineEvent {
  readonly event: string;
  readonly [field: string]: unknown;
}

export type EngineCommand = 'stop' | 'pause' | 'resume' | 'checkpoint' | 'cancel' | { readonly cmd: string; readonly [k: string]: unknown };

export interface EngineStartOptions {
  readonly binary: string;
  readonly configPath: string;
  readonly cwd?: string;
  readonly onEvent: (e: EngineEvent) => void;
  /** Every line the engine wrote: events as JSON, noise and stderr as text. */
  readonly onLog?: (line: string, source: 'event' | 'stdout' | 'stderr') => void;
}

const STDERR_TAIL_CHARS = 4000;

export class EngineProcess {
  readonly exited: Promise<EngineEnd>;
  private stdinOpen = true;

  private constructor(
    private readonly child: ChildProcess,
    exited: Promise<EngineEnd>,
  ) {
    this.exited = exited;
    child.stdin?.on('error', () => {
      this.stdinOpen = false; // the engine closed it or died; `exited` reports why
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static start(o: EngineStartOptions): EngineProcess {
    const child = spawn(o.binary, [o.configPath], { cwd: o.cwd, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true, shell: false });
    const parser = new JsonLineParser();
    let lastError: EngineEnd['lastError'] = null;
    let stderrTail = '';
    const handle = (lines: ReturnType<JsonLineParser['push']>) => {
      for (const l of lines) {
        if (l.kind === 'json' && typeof l.value.event === 'string') {
          o.onLog?.(l.raw, 'event');
          const e = l.value as EngineEvent;
          if (e.event === 'error') lastError = e as EngineEnd['lastError'];
          try {
            o.onEvent(e);
          } catch (err) {
            o.onLog?.(`lathe: handling engine event "${e.event}" failed: ${(err as Error).message}`, 'stderr');
          }
        } else {
          o.onLog?.(l.raw, 'stdout');
        }
      }
    };
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => handle(parser.push(chunk)));
    const stderrParser = new JsonLineParser();
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
      for (const l of stderrParser.push(chunk)) o.onLog?.(l.raw, 'stderr');
    });
    const exited = new Promise<EngineEnd>((resolve) => {
      let spawnError: Error | null = null;
      child.on('error', (err) => {
        spawnError = err;
        // 'close' does not always follow a failed spawn.
        if (child.pid === undefined) resolve({ exitCode: null, signal: null, lastError: { code: 'spawn_failed', message: `Cannot start the engine ${o.binary}: ${err.message}` }, stderrTail });
      });
      child.on('close', (code, signal) => {
        handle(parser.end());
        for (const l of stderrParser.end()) o.onLog?.(l.raw, 'stderr');
        const err = spawnError as Error | null;
        resolve({ exitCode: code, signal, lastError: lastError ?? (err ? { code: 'spawn_failed', message: err.message } : null), stderrTail });
      });
    });
    return new EngineProcess(child, exited);
  }

  /** Sends one command line; false when the engine no longer reads stdin. */
  send(command: EngineCommand): boolean {
    if (!this.stdinOpen || !this.child.stdin || this.child.stdin.destroyed) return false;
    const line = typeof command === 'string' ? JSON.stringify({ cmd: command }) : JSON.stringify(command);
    this.child.stdin.write(`${line}\n`);
    return true;
  }

  /** Closes stdin: an engine serving generate requests finishes and exits. */
  endInput(): void {
    this.stdinOpen = false;
    this.child.stdin?.end();
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/** The engine's event stream must start; a binary that cannot run is a clear error, not a hang. */
export function assertEngineStarted(p: EngineProcess): void {
  if (p.pid === undefined) throw new LatheError('engine_error', 'The training engine could not be started.');
}
