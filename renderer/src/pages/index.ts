// The app's pages, in navigation order. Add a page with ONE entry here (and its strings in i18n/en.ts + zh.ts).
import type { ComponentType } from 'react';
import type { MessageKey } from '../i18n/en.js';
import { ProjectsPage } from './ProjectsPage.js';
import { ModelsPage } from './ModelsPage.js';
import { ImportPage } from './ImportPage.js';
import { DataPage } from './DataPage.js';
import { PreviewPage } from './PreviewPage.js';
import { TrainPage } from './TrainPage.js';
import { RunsPage } from './RunsPage.js';
import { ExportPage } from './ExportPage.js';
import { PlaygroundPage } from './PlaygroundPage.js';

export interface PageEntry {
  /** Stable id, also the URL hash (#projects). */
  readonly id: string;
  readonly label: MessageKey;
  readonly component: ComponentType;
}

export const PAGES: readonly PageEntry[] = [
  { id: 'projects', label: 'nav.projects', component: ProjectsPage },
  { id: 'models', label: 'nav.models', component: ModelsPage },
  { id: 'import', label: 'nav.import', component: ImportPage },
  { id: 'data', label: 'nav.data', component: DataPage },
  { id: 'preview', label: 'nav.preview', component: PreviewPage },
  { id: 'train', label: 'nav.train', component: TrainPage },
  { id: 'runs', label: 'nav.runs', component: RunsPage },
  { id: 'export', label: 'nav.export', component: ExportPage },
  { id: 'playground', label: 'nav.playground', component: PlaygroundPage },
];
