// The first start of a fresh workspace opens a demo project: the bundled support-ticket spreadsheet imported and
// ready, so the whole flow (map → preview → train the tiny model → export) can be tried in a minute. Runs once.
import fs from 'node:fs';
import path from 'node:path';
import type { LatheServices } from '../../preload/contract/index.js';
import { SettingsStore } from '../db/settings-store.js';
import type { EventSink } from '../ipc/event-hub.js';
import type { Workspace } from '../workspace/workspace.js';
import { DATA_DIR } from './repo-root.js';

export const DEMO_PROJECT_NAME = 'Demo: support tickets';
export const DEMO_SPREADSHEET = path.join(DATA_DIR, 'demo', 'support-tickets.xlsx');
const SEEDED_KEY = 'demo.seeded';

export type DemoOutcome = 'seeded' | 'already-seeded' | 'not-a-fresh-workspace' | 'no-demo-data';

export async function seedDemoProject(services: LatheServices, workspace: Workspace, events: EventSink, spreadsheet = DEMO_SPREADSHEET): Promise<DemoOutcome> {
  const settings = new SettingsStore(workspace.db);
  if (settings.get<boolean>(SEEDED_KEY)) return 'already-seeded';
  if ((await services.projects.list({})).length > 0) {
    settings.set(SEEDED_KEY, true);
    return 'not-a-fresh-workspace';
  }
  if (!fs.existsSync(spreadsheet)) return 'no-demo-data';
  const project = await services.projects.create({ name: DEMO_PROJECT_NAME });
  try {
    await services.datasets.import({ projectId: project.id, file: spreadsheet, name: 'Support tickets (demo)', skipBad: true });
  } catch (err) {
    // The project stays (the user can import by hand); say what happened instead of failing the start-up.
    events.emit('app.notice', { level: 'warning', message: `The demo dataset could not be imported: ${(err as Error).message}` });
  }
  settings.set(SEEDED_KEY, true);
  return 'seeded';
}
