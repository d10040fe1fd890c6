// The ordered list of schema migrations. Add one line per new migration; never reorder or edit a released one.
import type { Migration } from './migration.js';
import { initial } from './001-initial.js';
import { runsOwnership } from './004-runs-ownership.js';
import { libraryModels } from './006-library-models.js';
import { appSettings } from './007-app-settings.js';
import { datasetImportState } from './008-dataset-import-state.js';
import { datasetRevision } from './009-dataset-revision.js';
import { projectRemovalState } from './010-project-removal-state.js';
import { projectTouch } from './011-project-touch.js';
import { datasetRowFiles } from './012-dataset-row-files.js';

export const MIGRATIONS: readonly Migration[] = [
  initial,
  runsOwnership,
  libraryModels,
  appSettings,
  datasetImportState,
  datasetRevision,
  projectRemovalState,
  projectTouch,
  datasetRowFiles,
];
