// Default run names are numbered per project, never reuse a deleted run's number, and name datasets by name.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectsStore } from '../db/projects-store.js';
import { SettingsStore } from '../db/settings-store.js';
import { openRunsBackend, TINY_DATA, TINY_MODEL, type TestBackend } from '../../test/fixtures/runs/run-helpers.js';
import { tempHome } from '../../test/helpers/temp-home.js';
import { RunConfig } from '../../preload/contract/runs.js';
import { takeRunNumber } from './run-name.js';

describe('default run names', () => {
  let home: { dir: string; cleanup(): void };
  let b: TestBackend;
  beforeEach(() => {
    home = tempHome('lathe-run-name-');
    b = openRunsBackend(home.dir, false);
  });
  afterEach(() => {
    b.close();
    home.cleanup();
  });

  const config = RunConfig.parse({ model: TINY_MODEL, datasets: [{ file: TINY_DATA }], template: 'qwen' });
  const draft = (projectId = b.projectId, name?: string) => b.service.create({ projectId, start: false, config, ...(name ? { name } : {}) });

  it('numbers the runs of a project, so a second run of the same model and data gets its own name', async () => {
    const first = await draft();
    const second = await draft();
    expect(first.name).toBe('lathe-tiny-llama · tiny-alpaca.jsonl #1');
    expect(second.name).toBe('lathe-tiny-llama · tiny-alpaca.jsonl #2');
    // Another project counts from 1; a run named by the person takes no number.
    const other = new ProjectsStore(b.workspace.db).create('Other').id;
    expect((await draft(other)).name).toBe('lathe-tiny-llama · tiny-alpaca.jsonl #1');
    expect((await draft(b.projectId, 'mine')).name).toBe('mine');
    expect((await draft()).name).toMatch(/ #3$/);
  });

  it('does not hand out a deleted run’s number again, even when it was the newest', async () => {
    await draft();
    const second = await draft();
    await b.service.delete({ id: second.id });
    expect((await draft()).name).toMatch(/ #3$/);
  });

  it('starts above the numbers already in names, and resets for a new project that reused an id', async () => {
    await draft(b.projectId, 'imported #7');
    expect((await draft()).name).toMatch(/ #8$/);
    // A stale counter of a removed project with the same id (another creation time) is ignored.
    const fresh = new ProjectsStore(b.workspace.db).create('Fresh').id;
    new SettingsStore(b.workspace.db).set(`runs.lastNumber.${fresh}`, { created: '2000-01-01T00:00:00.000Z', last: 41 });
    expect(takeRunNumber(b.workspace.db, fresh)).toBe(1);
  });

  it('names datasets by name, never as a bare "#id" that reads like a run number', async () => {
    const mk = (datasets: RunConfig['datasets']) => b.service.create({ projectId: b.projectId, start: false, config: { ...config, datasets } });
    expect((await mk([{ name: 'support-faq' }, { file: TINY_DATA }])).name).toBe('lathe-tiny-llama · support-faq, tiny-alpaca.jsonl #1');
    expect((await mk([{ id: 99 }])).name).toBe('lathe-tiny-llama · dataset 99 #2');
  });
});
