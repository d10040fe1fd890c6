// Numbers and dates in the app's language (not the browser's): Intl with the language's locale. Pure; the hook that
// binds it to the store's language is use-format.ts. It does not translate words — that is translate.ts.
import type { Language } from './translate.js';

const LOCALES: Record<Language, string> = { en: 'en-US', zh: 'zh-CN' };

export function localeOf(lang: Language): string {
  return LOCALES[lang];
}

/** A count or measure with grouping: 12,345; `digits` fixes the decimals (a loss: 4). */
export function formatNumber(lang: Language, n: number, digits?: number): string {
  return new Intl.NumberFormat(LOCALES[lang], digits === undefined ? undefined : { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}

/** A moment (epoch ms or ISO text) as date and time: "Nov 29, 2026, 1:04 AM" / "2026年11月29日 01:04". */
export function formatDateTime(lang: Language, when: number | string): string {
  const d = new Date(when);
  if (Number.isNaN(d.getTime())) return String(when);
  return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}
