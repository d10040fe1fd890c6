// Looks up a message in the current language and fills {placeholders}. Pure: the language comes from the store.
import { en, type MessageKey } from './en.js';
import { zh } from './zh.js';

export type Language = 'en' | 'zh';
export const LANGUAGES: readonly { id: Language; label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'zh', label: '简体中文' },
];

const TABLES: Record<Language, Record<MessageKey, string>> = { en, zh };

export function translate(lang: Language, key: MessageKey, vars?: Record<string, string | number>): string {
  const text = TABLES[lang][key] ?? en[key];
  return vars ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : text;
}

export function detectLanguage(navigatorLanguage: string | undefined): Language {
  return navigatorLanguage?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}
