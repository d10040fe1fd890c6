// English strings for app. Same keys as app.zh.ts (a test checks).
export const appEn = {
  'app.title': 'Lathe',
  'app.language': 'Language',
  'app.nav': 'Main',
  'app.skip': 'Skip to the page',
  'app.workspace': 'Workspace',
  'app.connection.web': 'Web mode',
  'app.connection.electron': 'Desktop',
  'nav.projects': 'Projects',
  'common.cancel': 'Cancel',
  'common.loading': 'Loading…',
  'common.retry': 'Retry',
  'common.dismiss': 'Dismiss',
} as const;
