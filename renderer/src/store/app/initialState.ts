// The app slice's state: connection facts and user preferences (language).
import type { AppInfo } from '../../../../preload/contract/index.js';
import type { Language } from '../../i18n/translate.js';

export interface AppState {
  info: AppInfo | undefined;
  infoError: string | undefined;
  language: Language;
}

export const appInitialState = (language: Language): AppState => ({ info: undefined, infoError: undefined, language });
