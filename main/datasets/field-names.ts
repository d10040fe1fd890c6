// The English name main's messages give each record field: the Import and Data pages' field labels, lower-cased
// ("Answer" → "answer"), so a problem reads "Empty answer." beside a column headed Answer. The renderer shows these
// ids through `main.param.field.<id>` (shared.*.ts), whose English must equal this table (a test checks).
import type { TargetField } from '../../preload/contract/datasets.js';

export const FIELD_NAMES: Readonly<Record<TargetField | 'prompt', string>> = {
  system: 'system prompt',
  instruction: 'instruction',
  input: 'input',
  output: 'answer',
  history: 'history',
  messages: 'conversation',
  tools: 'tools',
  chosen: 'chosen answer',
  rejected: 'rejected answer',
  label: 'label',
  text: 'text',
  prompt: 'prompt',
};
