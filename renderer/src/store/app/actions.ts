// The app slice's actions: load app info, switch language (remembered by the caller's storage).
import type { StateCreator } from 'zustand';
import { messageOf } from '../../bridge/lathe-error.js';
import type { Language } from '../../i18n/translate.js';
import type { AppService } from '../../services/app.js';
import type { LatheStore } from '../index.js';
import { appInitialState, type AppState } from './initialState.js';

export interface AppActions {
  loadInfo(): Promise<void>;
  setLanguage(language: Language): void;
}

export type AppSlice = AppState & AppActions;

export const createAppSlice =
  (service: AppService, initialLanguage: Language, remember: (l: Language) => void): StateCreator<LatheStore, [], [], AppSlice> =>
  (set) => ({
    ...appInitialState(initialLanguage),
    async loadInfo() {
      try {
        set({ info: await service.info(), infoError: undefined });
      } catch (err) {
        set({ infoError: messageOf(err) });
      }
    },
    setLanguage(language) {
      remember(language);
      set({ language });
    },
  });
