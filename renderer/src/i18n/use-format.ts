// Number and date formatting in the current language, for components (see format.ts).
import { useMemo } from 'react';
import { useLathe } from '../store/bound-store.js';
import { formatDateTime, formatNumber } from './format.js';

export interface Formatters {
  /** 12,345 — or with fixed decimals: num(0.12345, 4) = 0.1235. */
  num(n: number, digits?: number): string;
  dateTime(when: number | string): string;
}

export function useFormat(): Formatters {
  const language = useLathe((s) => s.language);
  return useMemo(() => ({ num: (n, digits) => formatNumber(language, n, digits), dateTime: (when) => formatDateTime(language, when) }), [language]);
}
