// The one bound store: every slice combined once. Slices get their services injected so tests pass fakes.
import { create } from 'zustand';
import type { Language } from '../i18n/translate.js';
import type { AppService } from '../services/app.js';
import type { ProjectsService } from '../services/projects.js';
import { createAppSlice, type AppSlice } from './app/actions.js';
import { createProjectsSlice, type ProjectsSlice } from './projects/actions.js';

export type LatheStore = AppSlice & ProjectsSlice;

export interface StoreDeps {
  readonly app: AppService;
  readonly projects: ProjectsService;
  readonly language: Language;
  readonly rememberLanguage: (l: Language) => void;
}

export function createLatheStore(deps: StoreDeps) {
  return create<LatheStore>()((...a) => ({
    ...createAppSlice(deps.app, deps.language, deps.rememberLanguage)(...a),
    ...createProjectsSlice(deps.projects)(...a),
  }));
}

export type LatheStoreHook = ReturnType<typeof createLatheStore>;
