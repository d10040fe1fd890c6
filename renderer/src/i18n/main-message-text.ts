// Messages written by main (validation problems, run-default notes, template warnings, export checks) come with a
// stable `code` and `params` beside their English `message` (which the CLI prints). The renderer shows them in the
// user's language: the text for code C is the message key `main.C` in a page's message files, filled with params;
// a code without a translation (an older main, a new message) falls back to main's English text. A param naming one
// of a closed set of ids (a record field, a message role) is shown translated too: the text for param p with value v
// is `main.param.<p>.<v>` when that key exists; other values (a column name, a number) are shown as they are.
// Pure (no store, testable in Node): components use useMainMessage() from main-message.ts.
import { en, type MessageKey } from './en.js';
import { translate, type Language } from './translate.js';

/** What main sends for a translatable message. */
export interface MainMessage {
  code?: string | undefined;
  params?: Readonly<Record<string, string | number>> | undefined;
  message: string;
}

export function mainMessageKey(code: string): string {
  return `main.${code}`;
}

export function translateMainMessage(lang: Language, m: MainMessage): string {
  if (!m.code) return m.message;
  const key = mainMessageKey(m.code);
  if (!(key in en)) return m.message;
  return translate(lang, key as MessageKey, m.params ? translateParams(lang, m.params) : undefined);
}

function translateParams(lang: Language, params: Readonly<Record<string, string | number>>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params)) {
    const key = `main.param.${name}.${value}`;
    out[name] = typeof value === 'string' && key in en ? translate(lang, key as MessageKey) : value;
  }
  return out;
}
