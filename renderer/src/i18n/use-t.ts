// The translate function for the current language, for components.
import { useCallback } from 'react';
import { useLathe } from '../store/bound-store.js';
import type { MessageKey } from './en.js';
import { translate } from './translate.js';

export function useT(): (key: MessageKey, vars?: Record<string, string | number>) => string {
  const language = useLathe((s) => s.language);
  return useCallback((key, vars) => translate(language, key, vars), [language]);
}
