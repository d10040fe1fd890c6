// Looks up a message in the current language and fills {placeholders}. Pure: the language comes from the store.
import { en, type MessageKey } from './en.js';
import { zh } from './zh.js';

export type Language = 'en' | 'zh';
export const LANGUAGES: readonly { id: Language; label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'zh', label: '简体中文' },
];

const TABLES: Record<Language, Record<MessageKey, string>> = { en, zh };

/** `{name|one|other}` picks a word by the count in `name` (English: "1 run", "2 runs"); Chinese needs none. */
const PLURAL = /\{(\w+)\|([^|{}]*)\|([^|{}]*)\}/g;

function isOne(v: string | number): boolean {
  // Counts often arrive formatted for display ("1,234"): read the digits back.
  return Number(typeof v === 'number' ? v : v.replace(/[,\s]/g, '')) === 1;
}

export function translate(lang: Language, key: MessageKey, vars?: Record<string, string | number>): string {
  const text = TABLES[lang][key] ?? en[key];
  if (!vars) return text;
  return text
    .replace(PLURAL, (m, k: string, one: string, other: string) => (k in vars ? (isOne(vars[k]!) ? one : other) : m))
    .replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

export function detectLanguage(navigatorLanguage: string | undefined): Language {
  return navigatorLanguage?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}
