// English strings for projects. Same keys as projects.zh.ts (a test checks).
export const projectsEn = {
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
} as const;
