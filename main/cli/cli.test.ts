import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempHome } from '../../test/helpers/temp-home.js';
import { runLathe } from '../../test/helpers/run-cli.js';
import { openWorkspace } from '../workspace/workspace.js';

const homes: { dir: string; cleanup(): void }[] = [];
function home(): string {
  const h = tempHome();
  homes.push(h);
  return h.dir;
}
afterEach(() => homes.splice(0).forEach((h) => h.cleanup()));

describe('lathe CLI', () => {
  it('project create/list --json print one JSON document each', async () => {
    const h = home();
    const created = await runLathe('--home', h, 'project', 'create', 'Support', 'tickets', '--json');
    expect(created.code).toBe(0);
    expect(created.json()).toMatchObject({ project: { id: 1, name: 'Support tickets', datasetCount: 0, runCount: 0, exportCount: 0 } });
    const listed = await runLathe('project', 'list', '--json', `--home=${h}`);
    expect(listed.code).toBe(0);
    const doc = listed.json();
    expect(doc.projects).toHaveLength(1);
    expect(Object.keys(doc.projects[0]).sort()).toEqual(['createdAt', 'datasetCount', 'exportCount', 'id', 'name', 'runCount', 'updatedAt']);
  });

  it('renames and deletes by name', async () => {
    const h = home();
    await runLathe('--home', h, 'project', 'create', 'A');
    expect((await runLathe('--home', h, '--json', 'project', 'rename', 'A', 'B')).json()).toMatchObject({ project: { name: 'B' } });
    const folder = path.join(h, 'projects', '1');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'x');
    expect((await runLathe('--home', h, '--json', 'project', 'delete', 'B')).json()).toMatchObject({ deleted: { name: 'B' } });
    expect((await runLathe('--home', h, '--json', 'project', 'list')).json()).toEqual({ projects: [] });
    // Deleted before the command returned, folder included; the name is free again.
    expect(fs.existsSync(folder)).toBe(false);
    expect((await runLathe('--home', h, '--json', 'project', 'create', 'B')).json()).toMatchObject({ project: { name: 'B' } });
  });

  it('delete does not wait for an import still writing into the project: the next start removes what is left', async () => {
    const h = home();
    await runLathe('--home', h, 'project', 'create', 'Busy');
    const ws = openWorkspace(h);
    ws.db.prepare("INSERT INTO datasets (project_id, name, source_name, source_sha256, source_size, format, shape, created_at, state, import_pid) VALUES (1, 'd', 'x', '', 0, 'csv', 'single', '', 'importing', 999999)").run();
    ws.close();
    const r = await runLathe('--home', h, '--json', 'project', 'delete', 'Busy');
    expect(r.json()).toMatchObject({ deleted: { name: 'Busy' }, finished: false });
    expect((await runLathe('--home', h, '--json', 'project', 'list')).json()).toEqual({ projects: [] });
    expect((await runLathe('--home', h, '--json', 'project', 'create', 'Busy')).json()).toMatchObject({ project: { name: 'Busy' } });
  });

  it('failures exit non-zero with {error:{code,message}} on stdout and a message on stderr', async () => {
    const h = home();
    await runLathe('--home', h, 'project', 'create', 'Same');
    const dup = await runLathe('--home', h, '--json', 'project', 'create', 'Same');
    expect(dup.code).toBe(1);
    expect(dup.json()).toEqual({ error: { code: 'already_exists', message: 'A project named “Same” already exists.' } });
    expect(dup.stderr).toMatch(/already exists/);
    const usage = await runLathe('--home', h, '--json', 'project', 'list', '--bogus');
    expect(usage.code).toBe(2);
    expect(usage.json().error.code).toBe('invalid_request');
    const unknown = await runLathe('--json', 'frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.json().error.message).toMatch(/Unknown command/);
    const missing = await runLathe('--home', h, '--json', 'project', 'delete', 'Nope');
    expect(missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('without --json, results go to stdout as text', async () => {
    const h = home();
    const r = await runLathe('--home', h, 'project', 'create', 'Text');
    expect(r.stdout).toBe('Created project “Text” (id 1).\n');
    expect(r.stderr).toBe('');
  });

  it('help lists every command; --help shows a usage', async () => {
    const r = await runLathe('--json', 'help');
    expect(r.json().commands.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['serve', 'project']));
    expect((await runLathe('project', '--help')).stdout).toMatch(/lathe project create NAME/);
  });

  it('LATHE_HOME selects the workspace when --home is absent', async () => {
    const h = home();
    const before = process.env.LATHE_HOME;
    process.env.LATHE_HOME = h;
    try {
      await runLathe('project', 'create', 'Env');
      expect((await runLathe('--home', h, '--json', 'project', 'list')).json().projects[0].name).toBe('Env');
    } finally {
      if (before === undefined) delete process.env.LATHE_HOME;
      else process.env.LATHE_HOME = before;
    }
  });
});
