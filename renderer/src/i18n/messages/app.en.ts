// English strings for app. Same keys as app.zh.ts (a test checks).
export const appEn = {
  'app.title': 'Lathe',
  'app.language': 'Language',
  'app.nav': 'Main',
  'app.skip': 'Skip to the page',
  'app.pageError.title': 'This page stopped working',
  'app.pageError.hint': 'Your data is safe: the other pages still work, and a reload usually brings this one back.',
  'app.pageError.reload': 'Reload',
  'app.workspace': 'Workspace',
  'app.connection.web': 'Web mode',
  'app.connection.electron': 'Desktop',
  'nav.projects': 'Projects',
  'common.cancel': 'Cancel',
  'common.loading': 'Loading…',
  'common.retry': 'Retry',
  'common.dismiss': 'Dismiss',
} as const;
