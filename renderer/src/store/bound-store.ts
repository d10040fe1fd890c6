// The app's store instance, wired to the real bridge services and the browser's language preference.
import { detectLanguage, type Language } from '../i18n/translate.js';
import { appService } from '../services/app.js';
import { datasetsService } from '../services/datasets.js';
import { projectsService } from '../services/projects.js';
import { libraryService } from '../services/library.js';
import { runsService } from '../services/runs.js';
import { playgroundService } from '../services/playground.js';
import { uploadFile } from '../services/upload.js';
import { modelsService } from '../services/models.js';
import { previewService } from '../services/preview.js';
import { templatesService } from '../services/templates.js';
import { exportsService } from '../services/exports.js';
import { createLatheStore } from './index.js';
import { setErrorLanguage } from '../bridge/lathe-error.js';

const LANGUAGE_KEY = 'lathe.language';

function savedLanguage(): Language {
  const lang = storedLanguage();
  setErrorLanguage(lang);
  return lang;
}

function storedLanguage(): Language {
  const saved = globalThis.localStorage?.getItem(LANGUAGE_KEY);
  return saved === 'en' || saved === 'zh' ? saved : detectLanguage(globalThis.navigator?.language);
}

export const useLathe = createLatheStore({
  app: appService,
  projects: projectsService,
  datasets: datasetsService,
  upload: uploadFile,
  runs: runsService,
  models: modelsService,
  templates: templatesService,
  preview: previewService,
  exports: exportsService,
  library: libraryService,
  playground: playgroundService,
  language: savedLanguage(),
  rememberLanguage: (l) => {
    setErrorLanguage(l);
    globalThis.localStorage?.setItem(LANGUAGE_KEY, l);
  },
});
