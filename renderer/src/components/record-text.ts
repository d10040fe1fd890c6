// A normalised record as short text: its prompt and answer for a table row. Pure; search happens in main.
import type { NormalisedRecord } from '../../../preload/contract/datasets.js';

/** The prompt side of a record, one line. */
export function recordPrompt(r: NormalisedRecord): string {
  switch (r.kind) {
    case 'single':
      return r.input ? `${r.instruction}\n${r.input}` : r.instruction;
    case 'conversation': {
      const users = r.messages.filter((m) => m.role === 'user');
      return users.at(-1)?.content ?? r.messages[0]?.content ?? '';
    }
    case 'preference':
      return typeof r.prompt === 'string' ? r.prompt : (r.prompt.filter((m) => m.role === 'user').at(-1)?.content ?? '');
    case 'text':
      return r.text;
  }
}

/** The answer side of a record, one line ('' for plain text). */
export function recordAnswer(r: NormalisedRecord): string {
  switch (r.kind) {
    case 'single':
      return r.output;
    case 'conversation':
      return r.messages.filter((m) => m.role === 'assistant').at(-1)?.content ?? '';
    case 'preference':
      return r.chosen;
    case 'text':
      return '';
  }
}

/** One line for a table cell: newlines shown as ⏎, capped. */
export function oneLine(s: string, max = 300): string {
  const flat = s.replace(/\r?\n/g, ' ⏎ ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
