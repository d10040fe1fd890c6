// A normalised record as short text: its prompt and answer for a table row, and all its text for search. Pure.
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

/** Every piece of text in a record, for full-text search. */
export function recordText(r: NormalisedRecord): string {
  const parts: string[] = [];
  if ('system' in r && r.system) parts.push(r.system);
  switch (r.kind) {
    case 'single':
      parts.push(r.instruction, r.input ?? '', r.output);
      break;
    case 'conversation':
      for (const m of r.messages) parts.push(m.content);
      break;
    case 'preference':
      if (typeof r.prompt === 'string') parts.push(r.prompt);
      else for (const m of r.prompt) parts.push(m.content);
      parts.push(r.chosen, r.rejected);
      break;
    case 'text':
      parts.push(r.text);
  }
  return parts.join('\n');
}

/**
 * Whether a record matches a search: every whitespace-separated term must occur (case-insensitive; Chinese has no
 * spaces, so a Chinese phrase is one term matched as a substring).
 */
export function matchesQuery(r: NormalisedRecord, query: string): boolean {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const text = recordText(r).toLowerCase();
  return terms.every((t) => text.includes(t));
}

/** One line for a table cell: newlines shown as ⏎, capped. */
export function oneLine(s: string, max = 300): string {
  const flat = s.replace(/\r?\n/g, ' ⏎ ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
