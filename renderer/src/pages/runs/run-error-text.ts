// The headline of a run's error banner in the person's language where the renderer knows the case (a run stopped on
// request); main's English message otherwise. Pure.
import type { RunDto } from '../../../../preload/contract/runs.js';
import type { MessageKey } from '../../i18n/en.js';

type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function runErrorText(t: Translate, run: Pick<RunDto, 'error' | 'step' | 'maxSteps'>): string {
  if (!run.error) return '';
  if (run.error.code === 'stopped') return run.maxSteps ? t('runs.stoppedAt', { step: run.step, max: run.maxSteps }) : t('runs.stoppedAtStep', { step: run.step });
  return run.error.message;
}
