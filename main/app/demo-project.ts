// The first start of a fresh workspace opens a demo project: the bundled support-ticket spreadsheet imported with a
// validation share, so the whole flow (map → preview → train the tiny model → eval loss and predictions → export) can
// be tried in a minute. Runs once. Its names are in the system's language (demoLanguage below): they are user data
// from then on, so they stay as created when the UI language changes.
import fs from 'node:fs';
import path from 'node:path';
import type { LatheServices } from '../../preload/contract/index.js';
import { SettingsStore } from '../db/settings-store.js';
import type { EventSink } from '../ipc/event-hub.js';
import type { Workspace } from '../workspace/workspace.js';
import { DATA_DIR } from './repo-root.js';

export type DemoLanguage = 'en' | 'zh';
/** The demo's names per language (the renderer's languages: i18n/translate.ts). */
export const DEMO_NAMES: Readonly<Record<DemoLanguage, { project: string; dataset: string }>> = {
  en: { project: 'Demo: support tickets', dataset: 'Support tickets (demo)' },
  zh: { project: '示例：客服工单', dataset: '客服工单（示例）' },
};
export const DEMO_PROJECT_NAME = DEMO_NAMES.en.project;
export const DEMO_SPREADSHEET = path.join(DATA_DIR, 'demo', 'support-tickets.xlsx');
/** The demo dataset's validation share: a first run then reports eval loss and predictions. */
export const DEMO_VAL_RATIO = 0.1;
const DEMO_SPLIT_SEED = 42;
const SEEDED_KEY = 'demo.seeded';

export type DemoOutcome = 'seeded' | 'already-seeded' | 'not-a-fresh-workspace' | 'no-demo-data';

/**
 * The system's locale, by one rule for every front end that has no better source: POSIX's LC_ALL, then
 * LC_MESSAGES, then LANG (the first set and not C/POSIX), else the JavaScript runtime's default locale (Intl, which
 * on Windows and macOS follows the OS setting). The desktop app passes Electron's app.getLocale() instead.
 */
export function systemLocale(env: NodeJS.ProcessEnv = process.env): string {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG'] as const) {
    const v = env[name];
    if (v && v !== 'C' && v !== 'POSIX' && !v.startsWith('C.')) return v;
  }
  return Intl.DateTimeFormat().resolvedOptions().locale;
}

/** Chinese for any zh locale (zh-CN, zh_TW.UTF-8, …), else English: the languages the UI has. */
export function demoLanguage(locale: string): DemoLanguage {
  return locale.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export interface DemoOptions {
  /** A BCP 47 or POSIX locale (Electron's app.getLocale()); default systemLocale(). */
  readonly locale?: string | undefined;
  readonly spreadsheet?: string | undefined;
}

export async function seedDemoProject(services: LatheServices, workspace: Workspace, events: EventSink, options: DemoOptions = {}): Promise<DemoOutcome> {
  const spreadsheet = options.spreadsheet ?? DEMO_SPREADSHEET;
  const names = DEMO_NAMES[demoLanguage(options.locale ?? systemLocale())];
  const settings = new SettingsStore(workspace.db);
  if (settings.get<boolean>(SEEDED_KEY)) return 'already-seeded';
  if ((await services.projects.list({})).length > 0) {
    settings.set(SEEDED_KEY, true);
    return 'not-a-fresh-workspace';
  }
  if (!fs.existsSync(spreadsheet)) return 'no-demo-data';
  const project = await services.projects.create({ name: names.project });
  try {
    const imported = await services.datasets.import({ projectId: project.id, file: spreadsheet, name: names.dataset, skipBad: true });
    await services.datasets.setSplit({ id: imported.dataset.id, seed: DEMO_SPLIT_SEED, valRatio: DEMO_VAL_RATIO });
  } catch (err) {
    // The project stays (the user can import by hand); say what happened instead of failing the start-up.
    events.emit('app.notice', { level: 'warning', message: `The demo dataset could not be imported: ${(err as Error).message}` });
  }
  settings.set(SEEDED_KEY, true);
  return 'seeded';
}
