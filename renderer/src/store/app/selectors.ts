// Pure reads of the app slice.
import type { LatheStore } from '../index.js';

export const appSelectors = {
  info: (s: LatheStore) => s.info,
  language: (s: LatheStore) => s.language,
  connectionError: (s: LatheStore) => s.infoError,
};
