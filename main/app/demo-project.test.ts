import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestBackend } from '../../test/helpers/test-backend.js';
import { DEMO_NAMES, DEMO_PROJECT_NAME, demoLanguage, seedDemoProject, systemLocale } from './demo-project.js';

const backends = useTestBackend();
const start = () => backends.start('web');

describe('demo project', () => {
  it('a fresh workspace gets the demo project with the ticket spreadsheet imported, once', async () => {
    const b = start();
    expect(await seedDemoProject(b.services, b.workspace, b.events, { locale: 'en-US' })).toBe('seeded');
    const projects = await b.services.projects.list({});
    expect(projects.map((p) => p.name)).toEqual([DEMO_PROJECT_NAME]);
    const datasets = await b.services.datasets.list({ projectId: projects[0]!.id });
    expect(datasets).toHaveLength(1);
    expect(datasets[0]!.rowCount).toBeGreaterThan(100);
    expect(datasets[0]!.name).toBe('Support tickets (demo)');
    // A validation share, so the first run reports eval loss and predictions.
    expect(datasets[0]!.valRatio).toBe(0.1);
    const validation = await b.services.datasets.rows({ id: datasets[0]!.id, offset: 0, limit: 1, split: 'validation' });
    expect(validation.total).toBeGreaterThan(5);
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
    expect(await seedDemoProject(b.services, b.workspace, b.events, { spreadsheet: path.join(backends.home, 'missing.xlsx') })).toBe('no-demo-data');
    expect(await b.services.projects.list({})).toEqual([]);
  });

  it('names the demo in the system’s language: Chinese for a zh locale, else English', async () => {
    const b = start();
    expect(await seedDemoProject(b.services, b.workspace, b.events, { locale: 'zh-CN' })).toBe('seeded');
    const projects = await b.services.projects.list({});
    expect(projects.map((p) => p.name)).toEqual([DEMO_NAMES.zh.project]);
    expect((await b.services.datasets.list({ projectId: projects[0]!.id })).map((d) => d.name)).toEqual([DEMO_NAMES.zh.dataset]);
  });

  it('reads the locale from LC_ALL, LC_MESSAGES, LANG (C/POSIX skipped), then Intl', () => {
    expect(systemLocale({ LC_ALL: 'zh_CN.UTF-8', LANG: 'en_US.UTF-8' })).toBe('zh_CN.UTF-8');
    expect(systemLocale({ LC_MESSAGES: 'zh_TW.UTF-8', LANG: 'en_US.UTF-8' })).toBe('zh_TW.UTF-8');
    expect(systemLocale({ LC_ALL: 'C.UTF-8', LANG: 'zh_CN.UTF-8' })).toBe('zh_CN.UTF-8');
    expect(systemLocale({ LANG: 'POSIX' })).toBe(Intl.DateTimeFormat().resolvedOptions().locale);
    expect(['zh-CN', 'zh_TW.UTF-8', 'zh-Hans'].map(demoLanguage)).toEqual(['zh', 'zh', 'zh']);
    expect(['en-US', 'de_DE.UTF-8', 'C'].map(demoLanguage)).toEqual(['en', 'en', 'en']);
  });
});
