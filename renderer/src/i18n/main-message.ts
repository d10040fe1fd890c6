// Messages written by main (validation problems, run-default notes, template warnings, export checks) come with a
// stable `code` and `params` beside their English `message` (which the CLI prints). The renderer shows them in the
// user's language: the text for code C is the message key `main.C` in a page's message files, filled with params;
// a code without a translation (an older main, a new message) falls back to main's English text.
import { useCallback } from 'react';
import { useLathe } from '../store/bound-store.js';
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
  return translate(lang, key as MessageKey, m.params ? { ...m.params } : undefined);
}

/** The translate function for main's messages in the current language, for components. */
export function useMainMessage(): (m: MainMessage) => string {
  const language = useLathe((s) => s.language);
  return useCallback((m) => translateMainMessage(language, m), [language]);
}
