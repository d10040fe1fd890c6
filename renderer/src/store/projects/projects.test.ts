import { describe, expect, it } from 'vitest';
import type { ProjectDto } from '../../../../preload/contract/index.js';
import { LatheError } from '../../bridge/lathe-error.js';
import { testStore } from '../testing/fake-services.js';
import type { ProjectsService } from '../../services/projects.js';
import { projectsSelectors } from './selectors.js';

function fakeProjects(): ProjectsService & { items: ProjectDto[] } {
  let next = 1;
  const items: ProjectDto[] = [];
  const dto = (id: number, name: string): ProjectDto => ({ id, name, createdAt: 't', updatedAt: 't', datasetCount: 0, runCount: 0, exportCount: 0 });
  return {
    items,
    list: async () => [...items],
    create: async (name) => {
      if (items.some((p) => p.name === name)) throw new LatheError('already_exists', `A project named “${name}” already exists.`);
      const p = dto(next++, name);
      items.push(p);
      return p;
    },
    rename: async (id, name) => {
      const i = items.findIndex((p) => p.id === id);
      items[i] = dto(id, name);
      return items[i]!;
    },
    remove: async (id) => items.splice(items.findIndex((p) => p.id === id), 1),
    onChanged: () => () => undefined,
  };
}

function store(projects = fakeProjects()) {
  return testStore({ projects });
}

describe('projects slice', () => {
  it('loads, reports empty, creates and selects the new project', async () => {
    const s = store();
    expect(projectsSelectors.status(s.getState())).toBe('idle');
    await s.getState().loadProjects();
    expect(projectsSelectors.isEmpty(s.getState())).toBe(true);
    expect(await s.getState().createProject('A')).toBe(true);
    expect(await s.getState().createProject('B')).toBe(true);
    expect(projectsSelectors.list(s.getState()).map((p) => p.name)).toEqual(['A', 'B']);
    expect(projectsSelectors.selected(s.getState())?.name).toBe('B');
  });

  it('keeps the error message of a failed action and clears it on demand', async () => {
    const s = store();
    await s.getState().createProject('A');
    expect(await s.getState().createProject('A')).toBe(false);
    expect(projectsSelectors.error(s.getState())).toBe('A project named “A” already exists.');
    s.getState().clearProjectsError();
    expect(projectsSelectors.error(s.getState())).toBeUndefined();
  });

  it('renames and removes, moving the selection off a removed project', async () => {
    const s = store();
    await s.getState().createProject('A');
    await s.getState().createProject('B');
    const b = projectsSelectors.selected(s.getState())!;
    await s.getState().renameProject(b.id, 'B2');
    expect(projectsSelectors.selected(s.getState())?.name).toBe('B2');
    await s.getState().removeProject(b.id);
    expect(projectsSelectors.list(s.getState()).map((p) => p.name)).toEqual(['A']);
    expect(projectsSelectors.selected(s.getState())?.name).toBe('A');
  });
});

describe('app slice', () => {
  it('loads info and switches language, remembering it', async () => {
    const remembered: string[] = [];
    const s = testStore({
      projects: fakeProjects(),
      app: { info: async () => ({ name: 'Lathe', version: '1.2.3', transport: 'electron', home: '/h', platform: 'win32', schemaVersion: 1 }) },
      language: 'en',
      rememberLanguage: (l) => remembered.push(l),
    });
    await s.getState().loadInfo();
    expect(s.getState().info?.version).toBe('1.2.3');
    s.getState().setLanguage('zh');
    expect(s.getState().language).toBe('zh');
    expect(remembered).toEqual(['zh']);
  });
});
