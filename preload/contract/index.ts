// The whole bridge: every domain, the services main implements, and the typed event map.
// Add a domain here with ONE line in each of `contract` and `LatheServices`.
import type { z } from 'zod';
import { appContract, type IAppService } from './app.js';
import { projectsContract, type IProjectsService } from './projects.js';
import { libraryContract, type ILibraryService } from './library.js';
import { datasetsContract, type IDatasetsService } from './datasets.js';
import { modelsContract, type IModelsService } from './models.js';
import { templatesContract, type ITemplatesService } from './templates.js';
import { previewContract, type IPreviewService } from './preview.js';
import { runsContract, type IRunsService } from './runs.js';
import { playgroundContract, type IPlaygroundService } from './playground.js';
import { exportsContract, type IExportsService } from './exports.js';

export const contract = {
  app: appContract,
  projects: projectsContract,
  library: libraryContract,
  datasets: datasetsContract,
  models: modelsContract,
  templates: templatesContract,
  preview: previewContract,
  runs: runsContract,
  playground: playgroundContract,
  exports: exportsContract,
} as const;

export interface LatheServices {
  app: IAppService;
  projects: IProjectsService;
  library: ILibraryService;
  datasets: IDatasetsService;
  models: IModelsService;
  templates: ITemplatesService;
  preview: IPreviewService;
  runs: IRunsService;
  playground: IPlaygroundService;
  exports: IExportsService;
}

export type DomainName = keyof typeof contract;

type EventsOf<D extends DomainName> = (typeof contract)[D]['events'];

/** `'<domain>.<event>'` → payload, derived from the schemas so the two cannot disagree. */
export type LatheEvents = { [K in EventName]: EventPayload<K> };

export type EventName = {
  [D in DomainName]: `${D}.${keyof EventsOf<D> & string}`;
}[DomainName];

export type EventPayload<N extends EventName> = N extends `${infer D}.${infer E}`
  ? D extends DomainName
    ? E extends keyof EventsOf<D>
      ? EventsOf<D>[E] extends z.ZodType
        ? z.infer<EventsOf<D>[E]>
        : never
      : never
    : never
  : never;

/** What the renderer holds as `window.lathe`: every service, plus event subscription. */
export type LatheApi = {
  readonly [D in keyof LatheServices]: LatheServices[D];
} & {
  on<N extends EventName>(event: N, listener: (payload: EventPayload<N>) => void): () => void;
  /** Electron only: the on-disk path of a dropped/picked File (absent in web mode, where files are uploaded). */
  pathForFile?(file: unknown): string;
};

export * from './define.js';
export * from './errors.js';
export * from './app.js';
export * from './projects.js';
export * from './library.js';
export * from './datasets.js';
export * from './models.js';
export * from './templates.js';
export * from './preview.js';
export * from './runs.js';
export * from './playground.js';
export * from './exports.js';
