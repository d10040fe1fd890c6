// Main's messages in the user's language, for components: the translation (main-message-text.ts, pure) and the hook
// that applies it in the current language. See main-message-text.ts for the convention (code, params, `main.<code>`).
import { useCallback } from 'react';
import { useLathe } from '../store/bound-store.js';
import { translateMainMessage, type MainMessage } from './main-message-text.js';

export { mainMessageKey, translateMainMessage, type MainMessage } from './main-message-text.js';

/** The translate function for main's messages in the current language. */
export function useMainMessage(): (m: MainMessage) => string {
  const language = useLathe((s) => s.language);
  return useCallback((m) => translateMainMessage(language, m), [language]);
}
