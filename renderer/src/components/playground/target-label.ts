// The text of a playground target in the picker, composed here from the parts main sends (run name, base model
// name) so it is translated. Pure; it does not decide which targets exist.
import type { TargetDto } from '../../../../preload/contract/playground.js';
import type { MessageKey } from '../../i18n/en.js';

type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** A base model by its folder name; a run by its name, with the base model only when the name does not say it. */
export function targetLabel(t: Translate, target: Pick<TargetDto, 'modelName' | 'runName'>): string {
  if (target.runName === null) return t('playground.target.model', { model: target.modelName });
  if (target.runName.toLowerCase().includes(target.modelName.toLowerCase())) return t('playground.target.run', { run: target.runName });
  return t('playground.target.runOn', { run: target.runName, model: target.modelName });
}
