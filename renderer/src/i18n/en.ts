// English strings. Keys are grouped by page; zh.ts must have exactly the same keys (a test checks).
export const en = {
  'app.title': 'Lathe',
  'app.language': 'Language',
  'app.workspace': 'Workspace',
  'app.connection.web': 'Web mode',
  'app.connection.electron': 'Desktop',
  'nav.projects': 'Projects',
  'projects.heading': 'Projects',
  'projects.empty.title': 'No projects yet',
  'projects.empty.body': 'A project holds your datasets, training runs and exports. Create one to start.',
  'projects.create': 'New project',
  'projects.create.placeholder': 'Project name, e.g. Support tickets',
  'projects.create.submit': 'Create',
  'projects.rename': 'Rename',
  'projects.rename.submit': 'Save',
  'projects.delete': 'Delete',
  'projects.delete.confirm': 'Delete “{name}” with its datasets, runs and exports? This cannot be undone.',
  'projects.counts': '{datasets} datasets · {runs} runs · {exports} exports',
  'projects.updated': 'Updated {when}',
  'common.cancel': 'Cancel',
  'common.loading': 'Loading…',
  'common.retry': 'Retry',
  'common.dismiss': 'Dismiss',
} as const;

export type MessageKey = keyof typeof en;
