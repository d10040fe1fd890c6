// Main dies mid-run: `lathe train` runs in its own process and is SIGKILLed after a checkpoint. The next start
// finds the run interrupted (its owner is gone), ends the orphaned engine, and `lathe run resume` continues from
// the checkpoint to the last step. Also: the app stops a run that a CLI process owns (through the run folder).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RunsStore } from '../../main/db/runs-store.js';
import { pidAlive } from '../../main/runs/run-ownership.js';
import { openWorkspace } from '../../main/workspace/workspace.js';
import { runLathe } from '../helpers/run-cli.js';
import { tempHome } from '../helpers/temp-home.js';
import { ENGINE, NO_ENGINE_REASON, ROOT, jsonLines, openRunsBackend, waitFor, writeYaml } from '../fixtures/runs/run-helpers.js';

if (!ENGINE) console.warn(`runs-crash: skipped — ${NO_ENGINE_REASON}`);

const FAST = { cutoff_len: 24, per_device_train_batch_size: 1, eval_steps: 0, predict_with_generate: false };

/** Starts `lathe ARGS` as a child process; resolves lines of stdout as they come. */
function startCli(bundle: string, args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [bundle, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: any[] = [];
  let buf = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    buf += c;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (l.startsWith('{')) lines.push(JSON.parse(l));
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, lines, exited, stderr: () => stderr };
}

describe.skipIf(!ENGINE)('a Lathe process dying mid-run', { timeout: 180_000 }, () => {
  let bundle: string;
  let home: { dir: string; cleanup(): void };
  beforeAll(async () => {
    // Beside node_modules so the bundle's bare imports (better-sqlite3, zod, yaml) resolve.
    bundle = path.join(ROOT, 'node_modules', '.cache', 'lathe-runs-test', `cli-${process.pid}.mjs`);
    await build({ entryPoints: [path.join(ROOT, 'test', 'fixtures', 'runs', 'cli-entry.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: bundle, logLevel: 'error' });
  }, 60_000);
  afterAll(() => fs.rmSync(bundle, { force: true }));
  beforeEach(() => {
    home = tempHome('lathe-runs-crash-');
  });
  afterEach(() => home.cleanup());

  it('finds the run interrupted on the next start, ends the orphaned engine, and resumes from the checkpoint', async () => {
    const yaml = writeYaml(home.dir, 'run.yaml', { ...FAST, max_steps: 40, save_steps: 3 });
    const cli = startCli(bundle, ['--home', home.dir, '--json', 'train', yaml]);
    await waitFor('a checkpoint from the CLI process', () => cli.lines.find((l) => l.type === 'checkpoint'), 90_000);
    const before = (() => {
      const ws = openWorkspace(home.dir);
      try {
        return new RunsStore(ws.db).get(1).row;
      } finally {
        ws.close();
      }
    })();
    expect(before).toMatchObject({ status: 'running', owner_pid: cli.child.pid });
    expect(before.engine_pid).toBeGreaterThan(0);
    cli.child.kill('SIGKILL');
    await cli.exited;
    // The engine does not stop on stdin EOF (protocol.md); it may die of SIGPIPE at its next event, or run on
    // until the next start of Lathe ends it. Either way it must be gone once the run is found interrupted.

    const app = openRunsBackend(home.dir, false);
    try {
      const run = await app.service.get({ id: 1 });
      expect(run).toMatchObject({ status: 'interrupted', resumable: true, error: { code: 'interrupted', message: expect.stringMatching(new RegExp(`running when its Lathe process ended \\(process ${cli.child.pid} is gone\\)`)) } });
      // SIGKILLed by the recovery above; gone once reaped, which a busy machine may take a while to do.
      await waitFor('the orphaned engine to end', () => !pidAlive(before.engine_pid!), 60_000);
      expect((await app.service.artifacts({ id: 1 })).some((a) => a.kind === 'checkpoint')).toBe(true);
    } finally {
      app.close();
    }

    const resumed = await runLathe('--home', home.dir, '--json', 'run', 'resume', '1');
    expect(resumed.code, resumed.stderr).toBe(0);
    const lines = jsonLines(resumed.stdout);
    expect(lines[0]).toMatchObject({ type: 'ready', run_id: 1 });
    expect(lines[0].start_step).toBeGreaterThanOrEqual(3);
    expect(lines[0].start_step % 3).toBe(0);
    expect(lines.at(-1)).toMatchObject({ type: 'done', status: 'completed', step: 40 });
    const show = (await runLathe('--home', home.dir, '--json', 'run', 'show', '1')).json().run;
    expect(show.metrics.filter((m: any) => m.kind === 'train').map((m: any) => m.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('lets the app see and stop a run that a CLI process owns', async () => {
    const yaml = writeYaml(home.dir, 'run.yaml', { ...FAST, max_steps: 400, save_steps: 0 });
    const cli = startCli(bundle, ['--home', home.dir, '--json', 'train', yaml]);
    await waitFor('steps from the CLI process', () => cli.lines.filter((l) => l.type === 'step').length >= 2, 90_000);
    const app = openRunsBackend(home.dir, true);
    try {
      expect((await app.service.list({})).map((r) => r.status)).toEqual(['running']);
      await app.service.stop({ id: 1 });
      expect(await cli.exited).toBe(0);
      const done = cli.lines.at(-1);
      expect(done).toMatchObject({ type: 'done', status: 'interrupted' });
      expect(done.step).toBeLessThan(400);
      expect(cli.lines.find((l) => l.type === 'checkpoint')).toMatchObject({ step: done.step });
      const run = await app.service.get({ id: 1 });
      expect(run).toMatchObject({ status: 'interrupted', resumable: true, error: { code: 'stopped' } });
    } finally {
      app.close();
    }
  });
});
