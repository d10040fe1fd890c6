// A validation row as a playground question: the conversation up to its last answer (system, earlier turns, the
// last user message) and that answer as the reference. Rows with nothing to answer (plain text) give null.
import type { DatasetRowDto } from '../../../../preload/contract/datasets.js';

export interface ValidationPrompt {
  readonly datasetId: number;
  readonly row: number;
  readonly system: string | undefined;
  /** Earlier (question, answer) turns of the row's conversation. */
  readonly history: readonly { readonly question: string; readonly answer: string }[];
  readonly question: string;
  readonly reference: string;
}

export function validationPrompt(datasetId: number, row: DatasetRowDto): ValidationPrompt | null {
  const r = row.record;
  const base = { datasetId, row: row.idx };
  switch (r.kind) {
    case 'single':
      return { ...base, system: r.system, history: [], question: [r.instruction, r.input].filter((s): s is string => !!s).join('\n'), reference: r.output };
    case 'preference':
      return typeof r.prompt === 'string' ? { ...base, system: r.system, history: [], question: r.prompt, reference: r.chosen } : fromMessages(base, r.system, [...r.prompt, { role: 'assistant', content: r.chosen }]);
    case 'conversation':
      return fromMessages(base, r.system, r.messages);
    case 'text':
      return null;
  }
}

function fromMessages(base: { datasetId: number; row: number }, system: string | undefined, messages: readonly { role: string; content: string }[]): ValidationPrompt | null {
  let sys = system;
  const turns = messages.filter((m) => {
    if (m.role !== 'system') return true;
    sys = m.content;
    return false;
  });
  const last = turns.length - 1;
  if (last < 1 || turns[last]!.role !== 'assistant' || turns[last - 1]!.role !== 'user') return null;
  const history: { question: string; answer: string }[] = [];
  for (let i = 0; i + 1 < last - 1; i += 2) {
    if (turns[i]!.role !== 'user' || turns[i + 1]!.role !== 'assistant') return null;
    history.push({ question: turns[i]!.content, answer: turns[i + 1]!.content });
  }
  return { ...base, system: sys, history, question: turns[last - 1]!.content, reference: turns[last]!.content };
}
