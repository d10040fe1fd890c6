// Maps how the engine ended (exit code, signal, last `error` event) to a run error a person can act on. Exit codes
// are the engine's status codes (native/src/core/status.h, docs/protocol.md). Does not decide run status.
import type { RunError } from '../../preload/contract/runs.js';
import { runHint, runHintWith, type RunHintCode } from '../runs/run-hints.js';

const EXIT_CODES: Readonly<Record<number, { code: string; message: string; hint: RunHintCode }>> = {
  1: { code: 'internal', message: 'The engine failed with an internal error.', hint: 'runHint.reportWithLog' },
  2: { code: 'config_invalid', message: 'The engine refused the run configuration.', hint: 'runHint.fixConfig' },
  3: { code: 'io', message: 'The engine could not read or write a file.', hint: 'runHint.checkFiles' },
  4: { code: 'unsupported_model', message: 'The engine does not support this model.', hint: 'runHint.chooseSupportedModel' },
  5: { code: 'data_invalid', message: 'The prepared dataset is not usable.', hint: 'runHint.prepareAgain' },
  6: { code: 'numeric', message: 'Training diverged (the loss or gradient is not a finite number).', hint: 'runHint.lowerLearningRate' },
  7: { code: 'out_of_memory', message: 'The engine ran out of memory.', hint: 'runHint.lowerMemory' },
};

export interface EngineEnd {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last `error` event the engine sent, if any. */
  readonly lastError: { code?: unknown; message?: unknown; hint?: unknown; details?: unknown } | null;
  /** The last lines of stderr, for a crash that sent no error event. */
  readonly stderrTail: string;
}

/**
 * The engine's memory plan refused the run (out_of_memory with `details`, native/docs/protocol.md): the hint with the
 * memory needed vs available and the settings that fit, translatable. null when the details are not that shape.
 */
export function memoryHint(details: unknown): Required<Pick<RunError, 'hint' | 'hintCode' | 'hintParams'>> | null {
  if (typeof details !== 'object' || details === null) return null;
  const d = details as { needed_mib?: unknown; available_mib?: unknown; limit?: unknown; fits?: unknown };
  if (typeof d.needed_mib !== 'number' || typeof d.available_mib !== 'number' || !Array.isArray(d.fits)) return null;
  const gib = (mib: number) => (mib / 1024).toFixed(1);
  const params = { need: gib(d.needed_mib), have: gib(d.available_mib), limit: typeof d.limit === 'string' ? d.limit : '' };
  // Each option is a set of config keys (language-neutral names) with the memory it needs.
  const fits = d.fits
    .filter((f): f is Record<string, unknown> => typeof f === 'object' && f !== null)
    .map((f) => {
      const keys = Object.entries(f).filter(([k]) => k !== 'needed_mib').map(([k, v]) => `${k}: ${String(v)}`).join(', ');
      return typeof f.needed_mib === 'number' ? `${keys} (${gib(f.needed_mib)} GiB)` : keys;
    });
  return fits.length > 0 ? runHintWith('runHint.memoryFits', { ...params, fits: fits.join('; ') }) : runHintWith('runHint.memoryNoFit', params);
}

/** null when the engine ended normally. */
export function engineFailure(end: EngineEnd): RunError | null {
  if (end.exitCode === 0 && !end.signal) return null;
  if (end.lastError && typeof end.lastError.message === 'string') {
    const known = end.exitCode !== null ? EXIT_CODES[end.exitCode] : undefined;
    const memory = end.lastError.code === 'out_of_memory' ? memoryHint(end.lastError.details) : null;
    if (memory) return { code: 'out_of_memory', message: end.lastError.message, ...memory };
    return {
      code: typeof end.lastError.code === 'string' ? end.lastError.code : (known?.code ?? 'internal'),
      message: end.lastError.message,
      ...(typeof end.lastError.hint === 'string' && end.lastError.hint ? { hint: end.lastError.hint } : known ? runHint(known.hint) : {}),
    };
  }
  const tail = end.stderrTail.trim().split('\n').slice(-3).join(' ').trim();
  if (end.signal) {
    const oom = end.signal === 'SIGKILL';
    return {
      code: oom ? 'killed' : 'crashed',
      message: `The engine was ended by ${end.signal}${oom ? ' (killed: often the system running out of memory)' : ''}.${tail ? ` Last output: ${tail}` : ''}`,
      ...runHint(oom ? 'runHint.killedLowerMemory' : 'runHint.resumeAndReport'),
    };
  }
  const known = end.exitCode !== null ? EXIT_CODES[end.exitCode] : undefined;
  if (known) return { code: known.code, message: `${known.message}${tail ? ` ${tail}` : ''}`, ...runHint(known.hint) };
  return { code: 'crashed', message: `The engine exited with code ${end.exitCode}.${tail ? ` Last output: ${tail}` : ''}`, ...runHint('runHint.resumeAndReport') };
}
