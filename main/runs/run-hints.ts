// What a person can do about a failed or interrupted run: the hint of a RunError, with a code the renderer translates
// (`main.<code>`) beside the English text (CLI, runs stored before hints had codes). Hints the engine writes itself
// travel as its English text only. It does not decide which hint fits; the callers do.
import type { RunError } from '../../preload/contract/runs.js';

const HINTS = {
  'runHint.seeLog': 'See the run log.',
  'runHint.resumeFromCheckpoint': 'Resume it to continue from its last checkpoint.',
  'runHint.resumeToQueue': 'Resume it to queue it again.',
  'runHint.reportWithLog': 'Please report this with the run log.',
  'runHint.fixConfig': 'Fix the configuration and start again.',
  'runHint.checkFiles': 'Check the model folder, the run folder and free disk space.',
  'runHint.chooseSupportedModel': 'Choose a Llama, Qwen2/3 or Mistral model.',
  'runHint.prepareAgain': 'Prepare the dataset again.',
  'runHint.lowerLearningRate': 'Lower the learning rate and start again.',
  'runHint.lowerMemory': 'Lower the batch size or cutoff length, or use QLoRA.',
  'runHint.killedLowerMemory': 'If nothing else killed it, lower the batch size or cutoff length.',
  'runHint.resumeAndReport': 'Resume from the last checkpoint; report it if it happens again.',
  'runHint.memoryFits': 'It needs about {need} GiB and {have} GiB are available ({limit}). Settings that fit: {fits}.',
  'runHint.memoryNoFit': 'It needs about {need} GiB and {have} GiB are available ({limit}); no batch size, cutoff length or gradient checkpointing makes it fit. Use a smaller model or a GPU with more memory.',
} as const;
export type RunHintCode = keyof typeof HINTS;

/** Every hint code (the renderer has a `main.<code>` text for each; a test checks). */
export const RUN_HINT_CODES = Object.keys(HINTS) as RunHintCode[];

/** The `hint` and `hintCode` fields of a RunError. */
export function runHint(code: RunHintCode): Required<Pick<RunError, 'hint' | 'hintCode'>> {
  return { hint: HINTS[code], hintCode: code };
}

/** A hint with numbers: `{name}` in the English text filled from params, which the renderer's translation fills too. */
export function runHintWith(code: RunHintCode, params: Readonly<Record<string, string | number>>): Required<Pick<RunError, 'hint' | 'hintCode' | 'hintParams'>> {
  const hint = HINTS[code].replace(/\{(\w+)\}/g, (m, k: string) => (params[k] !== undefined ? String(params[k]) : m));
  return { hint, hintCode: code, hintParams: { ...params } };
}
