// Checks one normalised record: empty targets, empty conversations, role order (LLaMA-Factory's rule: user or tool
// turns at odd positions, assistant or function turns at even ones, ending on the model). Dataset-wide checks
// (duplicates, statistics) live in validation-report.ts.
import type { Mapping, Message, NormalisedRecord, TargetField } from '../../preload/contract/datasets.js';
import { fieldColumn, type FieldProblem } from './record-mapper.js';

const PROMPT_SIDE = new Set(['user', 'tool']);
const MODEL_SIDE = new Set(['assistant', 'function']);

export function validateRecord(record: NormalisedRecord, mapping: Mapping): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const empty = (field: TargetField, label: string) => problems.push({ column: fieldColumn(mapping, field) ?? fieldColumn(mapping, 'messages'), message: `Empty ${label}.` });
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
      if (!record.chosen.trim()) empty('chosen', 'chosen answer');
      if (!record.rejected.trim()) empty('rejected', 'rejected answer');
      break;
  }
  return problems;
}

/** `complete`: the conversation must end on a model turn (SFT); a preference prompt must end on a prompt turn. */
function checkTurns(messages: readonly Message[], complete: boolean, mapping: Mapping, problems: FieldProblem[]): void {
  const column = fieldColumn(mapping, 'messages') ?? fieldColumn(mapping, 'history') ?? fieldColumn(mapping, 'instruction');
  if (messages.length === 0) {
    problems.push({ column, message: 'Empty conversation.' });
    return;
  }
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const want = i % 2 === 0 ? PROMPT_SIDE : MODEL_SIDE;
    if (!want.has(m.role)) {
      const expected = i % 2 === 0 ? 'user (or tool)' : 'assistant (or function)';
      problems.push({ column, message: `Bad role order: message ${i + 1} is “${m.role}” but should be ${expected}.` });
      return;
    }
    if (!m.content.trim() && m.role !== 'tool') {
      problems.push({ column, message: `Message ${i + 1} (${m.role}) is empty.` });
      return;
    }
  }
  if (complete && messages.length % 2 !== 0) problems.push({ column, message: 'Bad role order: the conversation ends without an assistant answer.' });
  if (!complete && messages.length % 2 === 0) problems.push({ column, message: 'Bad role order: the prompt should end with a user turn.' });
}
