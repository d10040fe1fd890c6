// The translate function for main's messages (code + params, English fallback) in the current language, for
// components. The translation itself is main-message.ts (pure, tested without the store).
import { useCallback } from 'react';
import { useLathe } from '../store/bound-store.js';
import { translateMainMessage, type MainMessage } from './main-message.js';

export function useMainMessage(): (m: MainMessage) => string {
  const language = useLathe((s) => s.language);
  return useCallback((m) => translateMainMessage(language, m), [language]);
}
