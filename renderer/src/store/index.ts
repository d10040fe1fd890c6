// The one bound store: every slice combined once. Slices get their services injected so tests pass fakes.
import { create } from 'zustand';
import type { Language } from '../i18n/translate.js';
import type { AppService } from '../services/app.js';
import type { DatasetsService } from '../services/datasets.js';
import type { ProjectsService } from '../services/projects.js';
import type { LibraryService } from '../services/library.js';
import type { RunsService } from '../services/runs.js';
import type { ModelsService } from '../services/models.js';
import type { PreviewService } from '../services/preview.js';
import type { TemplatesService } from '../services/templates.js';
import type { ExportsService } from '../services/exports.js';
import type { PlaygroundService } from '../services/playground.js';
import { createAppSlice, type AppSlice } from './app/actions.js';
import { createDatasetsSlice, type DatasetsSlice } from './datasets/actions.js';
import { createImporterSlice, type ImporterSlice, type UploadFn } from './importer/actions.js';
import { createProjectsSlice, type ProjectsSlice } from './projects/actions.js';
import { createLibrarySlice, libraryUnavailable, type LibrarySlice } from './library/actions.js';
import { createRunsSlice, type RunsSlice } from './runs/actions.js';
import { createPreviewSlice, type PreviewSlice } from './preview/actions.js';
import { createExportsSlice, type ExportsSlice } from './exports/actions.js';
import { createPlaygroundSlice, playgroundUnavailable, type PlaygroundSlice } from './playground/actions.js';

export type LatheStore = AppSlice & ProjectsSlice & DatasetsSlice & ImporterSlice & RunsSlice & LibrarySlice & PlaygroundSlice & PreviewSlice & ExportsSlice;

export interface StoreDeps {
  readonly app: AppService;
  readonly projects: ProjectsService;
  readonly datasets: DatasetsService;
  readonly upload: UploadFn;
  readonly runs: RunsService;
  readonly models: ModelsService;
  readonly templates: TemplatesService;
  readonly preview: PreviewService;
  readonly exports: ExportsService;
  /** Optional so test stores of other slices need not build one. */
  readonly library?: LibraryService;
  readonly playground?: PlaygroundService;
  readonly language: Language;
  readonly rememberLanguage: (l: Language) => void;
}

export function createLatheStore(deps: StoreDeps) {
  return create<LatheStore>()((...a) => ({
    ...createAppSlice(deps.app, deps.language, deps.rememberLanguage)(...a),
    ...createProjectsSlice(deps.projects)(...a),
    ...createDatasetsSlice(deps.datasets)(...a),
    ...createImporterSlice(deps.datasets, deps.upload)(...a),
    ...createRunsSlice(deps.runs)(...a),
    ...createPreviewSlice({ models: deps.models, templates: deps.templates, preview: deps.preview, datasets: deps.datasets })(...a),
    ...createExportsSlice(deps.exports)(...a),
    ...createLibrarySlice(deps.library ?? libraryUnavailable)(...a),
    ...createPlaygroundSlice(deps.playground ?? playgroundUnavailable)(...a),
  }));
}

export type LatheStoreHook = ReturnType<typeof createLatheStore>;
