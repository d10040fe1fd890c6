// The composition root: builds every domain's service over one workspace. Add a domain with ONE line here.
import type { LatheServices } from '../../preload/contract/index.js';
import { AppService } from '../app/app-service.js';
import { ProjectsService } from '../projects/projects-service.js';
import { LibraryService } from '../library/library-service.js';
import { DatasetsService } from '../datasets/datasets-service.js';
import { ModelsService } from '../models/models-service.js';
import { TemplatesService } from '../templates/templates-service.js';
import { createPreviewService } from '../preview/preview-service.js';
import { RunsService } from '../runs/runs-service.js';
import { PlaygroundService } from '../playground/playground-service.js';
import { ExportsService } from '../export/exports-service.js';
import type { ServiceContext } from './service-context.js';

export function createServices(ctx: ServiceContext): LatheServices {
  return {
    app: new AppService(ctx),
    projects: new ProjectsService(ctx),
    library: new LibraryService(ctx),
    datasets: new DatasetsService(ctx),
    models: new ModelsService(),
    templates: new TemplatesService(ctx),
    preview: createPreviewService(ctx),
    runs: new RunsService(ctx),
    playground: new PlaygroundService(ctx),
    exports: new ExportsService(ctx),
  };
}
