// Checks one normalised record: empty targets, empty conversations, role order (LLaMA-Factory's rule: user or tool
// turns at odd positions, assistant or function turns at even ones, ending on the model). Dataset-wide checks
// (duplicates, statistics) live in validation-report.ts. Problems carry a code from VALIDATOR_CODES for translation.
import type { Mapping, Message, NormalisedRecord, TargetField } from '../../preload/contract/datasets.js';
import type { MessageParams } from '../../preload/contract/message-code.js';
import { FIELD_NAMES } from './field-names.js';
import { fieldColumn, type FieldProblem } from './record-mapper.js';

/** Every code this file's problems carry (the renderer has a `main.<code>` text for each; a test checks). */
export const VALIDATOR_CODES = [
  'dataset.emptyField',
  'dataset.emptyConversation',
  'dataset.roleShouldBePrompt',
  'dataset.roleShouldBeModel',
  'dataset.emptyMessage',
  'dataset.noFinalAnswer',
  'dataset.promptEndsWithModel',
] as const;
type ValidatorCode = (typeof VALIDATOR_CODES)[number];

/** The fields an empty-field problem can name (`field` param: the renderer translates the id; English in field-names.ts). */
type EmptyField = 'text' | 'instruction' | 'output' | 'prompt' | 'chosen' | 'rejected';

function problem(column: string | undefined, code: ValidatorCode, params: MessageParams, message: string): FieldProblem {
  return { column, message, code, params };
}

const PROMPT_SIDE = new Set(['user', 'tool']);
const MODEL_SIDE = new Set(['assistant', 'function']);

export function validateRecord(record: NormalisedRecord, mapping: Mapping): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const empty = (field: TargetField, what: EmptyField) =>
    problems.push(problem(fieldColumn(mapping, field) ?? fieldColumn(mapping, 'messages'), 'dataset.emptyField', { field: what }, `Empty ${FIELD_NAMES[what]}.`));
  switch (record.kind) {
    case 'text':
      if (!record.text.trim()) empty('text', 'text');
      break;
    case 'single':
      if (!record.instruction.trim() && !record.input?.trim()) empty('instruction', 'instruction');
      if (!record.output.trim()) empty('output', 'output');
      break;
    case 'conversation':
      checkTurns(record.messages, true, mapping, problems);
      break;
    case 'preference':
      if (typeof record.prompt === 'string') {
        if (!record.prompt.trim()) empty('instruction', 'prompt');
      } else checkTurns(record.prompt, false, mapping, problems);
      if (!record.chosen.trim()) empty('chosen', 'chosen');
      if (!record.rejected.trim()) empty('rejected', 'rejected');
      break;
  }
  return problems;
}

/** `complete`: the conversation must end on a model turn (SFT); a preference prompt must end on a prompt turn. */
function checkTurns(messages: readonly Message[], complete: boolean, mapping: Mapping, problems: FieldProblem[]): void {
  const column = fieldColumn(mapping, 'messages') ?? fieldColumn(mapping, 'history') ?? fieldColumn(mapping, 'instruction');
  if (messages.length === 0) {
    problems.push(problem(column, 'dataset.emptyConversation', {}, 'Empty conversation.'));
    return;
  }
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const want = i % 2 === 0 ? PROMPT_SIDE : MODEL_SIDE;
    if (!want.has(m.role)) {
      const expected = i % 2 === 0 ? 'user (or tool)' : 'assistant (or function)';
      const code = i % 2 === 0 ? 'dataset.roleShouldBePrompt' : 'dataset.roleShouldBeModel';
      problems.push(problem(column, code, { n: i + 1, role: m.role }, `Bad role order: message ${i + 1} is “${m.role}” but should be ${expected}.`));
      return;
    }
    if (!m.content.trim() && m.role !== 'tool') {
      problems.push(problem(column, 'dataset.emptyMessage', { n: i + 1, role: m.role }, `Message ${i + 1} (${m.role}) is empty.`));
      return;
    }
  }
  if (complete && messages.length % 2 !== 0) problems.push(problem(column, 'dataset.noFinalAnswer', {}, 'Bad role order: the conversation ends without an assistant answer.'));
  if (!complete && messages.length % 2 === 0) problems.push(problem(column, 'dataset.promptEndsWithModel', {}, 'Bad role order: the prompt should end with a user turn.'));
}
