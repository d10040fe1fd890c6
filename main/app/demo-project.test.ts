import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestBackend } from '../../test/helpers/test-backend.js';
import { DEMO_PROJECT_NAME, seedDemoProject } from './demo-project.js';

const backends = useTestBackend();
const start = () => backends.start('web');

describe('demo project', () => {
  it('a fresh workspace gets the demo project with the ticket spreadsheet imported, once', async () => {
    const b = start();
    expect(await seedDemoProject(b.services, b.workspace, b.events)).toBe('seeded');
    const projects = await b.services.projects.list({});
    expect(projects.map((p) => p.name)).toEqual([DEMO_PROJECT_NAME]);
    const datasets = await b.services.datasets.list({ projectId: projects[0]!.id });
    expect(datasets).toHaveLength(1);
    expect(datasets[0]!.rowCount).toBeGreaterThan(100);
    await b.services.projects.remove({ id: projects[0]!.id });
    expect(await seedDemoProject(b.services, b.workspace, b.events)).toBe('already-seeded');
    expect(await b.services.projects.list({})).toEqual([]);
  });

  it('a workspace that already has projects is left alone', async () => {
    const b = start();
    await b.services.projects.create({ name: 'Mine' });
    expect(await seedDemoProject(b.services, b.workspace, b.events)).toBe('not-a-fresh-workspace');
    expect((await b.services.projects.list({})).map((p) => p.name)).toEqual(['Mine']);
  });

  it('without the bundled spreadsheet nothing is created and the next start tries again', async () => {
    const b = start();
    expect(await seedDemoProject(b.services, b.workspace, b.events, path.join(backends.home, 'missing.xlsx'))).toBe('no-demo-data');
    expect(await b.services.projects.list({})).toEqual([]);
  });
});
