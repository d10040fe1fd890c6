// `lathe model pull|list|rm|check|repair` against the fake hub: JSON shapes, progress lines, exit codes, the
// gated repo's message, and that a token from HF_TOKEN never reaches the output.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHub, tinyModelFiles, type FakeHub } from '../fixtures/hub/fake-hub-server.js';
import { runLathe } from '../helpers/run-cli.js';
import { tempHome } from '../helpers/temp-home.js';

const REPO = 'lathe/tiny-llama';
const GATED = 'lathe/tiny-llama-gated';
const TOKEN = 'hf_cli_token_9876543210abc';
let hub: FakeHub;
const homes: { dir: string; cleanup(): void }[] = [];
const home = () => {
  const h = tempHome('lathe-cli-lib-');
  homes.push(h);
  return h.dir;
};

beforeAll(async () => {
  const files = tinyModelFiles();
  hub = await startFakeHub({ [REPO]: { files, commit: 'e'.repeat(40) }, [GATED]: { files, commit: 'f'.repeat(40), token: TOKEN } });
});
afterAll(() => hub.close());
afterEach(() => {
  hub.log.length = 0;
  delete process.env.HF_TOKEN;
  homes.splice(0).forEach((h) => h.cleanup());
});

/** --json pull prints one JSON line per progress event, then the result document. */
function splitPull(stdout: string): { progress: any[]; result: any } {
  const lines = stdout.split('\n');
  const progress = lines.filter((l) => l.startsWith('{"event":"progress"')).map((l) => JSON.parse(l));
  const rest = lines.filter((l) => !l.startsWith('{"event":"progress"')).join('\n');
  return { progress, result: JSON.parse(rest) };
}

describe('lathe model pull/list/rm', () => {
  it('pulls by name from an endpoint, lists and removes', async () => {
    const h = home();
    const r = await runLathe('--home', h, '--json', 'model', 'pull', REPO, '--endpoint', hub.url);
    expect(r.code).toBe(0);
    const { progress, result } = splitPull(r.stdout);
    expect(progress.length).toBeGreaterThan(0);
    expect(result.download).toMatchObject({ name: REPO, source: 'hf', state: 'done', fileCount: 5 });
    expect(result.model).toMatchObject({ name: REPO, status: 'ready', path: path.join(h, 'models', 'lathe--tiny-llama') });
    expect(fs.existsSync(path.join(h, 'models', 'lathe--tiny-llama', 'model.safetensors'))).toBe(true);

    const list = await runLathe('--home', h, '--json', 'model', 'list');
    expect(list.code).toBe(0);
    expect(list.json().models.map((m: any) => [m.name, m.status, m.card.architecture, m.builtIn])).toEqual([
      ['lathe-tiny-llama', 'ready', 'LlamaForCausalLM', true],
      [REPO, 'ready', 'LlamaForCausalLM', false],
    ]);
    const text = await runLathe('--home', h, 'model', 'list');
    expect(text.stdout).toMatch(/lathe\/tiny-llama {2}ready/);

    const check = await runLathe('--home', h, '--json', 'model', 'check', REPO, '--full');
    expect(check.code).toBe(0);
    expect(check.json().model.status).toBe('ready');

    const rm = await runLathe('--home', h, '--json', 'model', 'rm', REPO);
    expect(rm.code).toBe(0);
    expect(rm.json()).toMatchObject({ removed: { name: REPO }, deletedFiles: true });
    expect(fs.existsSync(path.join(h, 'models', 'lathe--tiny-llama'))).toBe(false);
    expect((await runLathe('--home', h, '--json', 'model', 'list')).json().models.map((m: any) => m.name)).toEqual(['lathe-tiny-llama']);
  });

  it('pulls from ModelScope with --source, and repairs a damaged file', async () => {
    const h = home();
    const r = await runLathe('--home', h, 'model', 'pull', REPO, '--source', 'modelscope', '--endpoint', hub.url, '--revision', 'master');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Downloaded lathe\/tiny-llama/);
    expect(hub.log.some((l) => l.url.startsWith(`/api/v1/models/${REPO}/repo/files?Revision=master`))).toBe(true);
    fs.truncateSync(path.join(h, 'models', 'lathe--tiny-llama', 'model.safetensors'), 1000);
    const check = await runLathe('--home', h, '--json', 'model', 'check', REPO);
    expect(check.code).toBe(1);
    expect(check.json().model.status).toBe('corrupted');
    const repair = await runLathe('--home', h, '--json', 'model', 'repair', REPO);
    expect(repair.code).toBe(0);
    expect(splitPull(repair.stdout).result.model.status).toBe('ready');
  });

  it('a gated model: a clear message and exit 1 without a token; HF_TOKEN opens it and never shows up in output', async () => {
    const h = home();
    const denied = await runLathe('--home', h, '--json', 'model', 'pull', GATED, '--endpoint', hub.url);
    expect(denied.code).toBe(1);
    expect(JSON.parse(denied.stdout.trim().split('\n').pop()!).error.code).toBe('forbidden');
    expect(denied.stderr).toMatch(/is gated \(HTTP 401\).*HF_TOKEN/);

    process.env.HF_TOKEN = TOKEN;
    const ok = await runLathe('--home', h, '--json', 'model', 'pull', GATED, '--endpoint', hub.url);
    expect(ok.code).toBe(0);
    expect(ok.stdout + ok.stderr).not.toContain(TOKEN);
    for (const f of fs.readdirSync(h, { recursive: true }) as string[]) {
      const full = path.join(h, f);
      if (fs.statSync(full).isFile()) expect(fs.readFileSync(full).includes(TOKEN), f).toBe(false);
    }
  });

  it('usage errors exit 2', async () => {
    const h = home();
    expect((await runLathe('--home', h, '--json', 'model', 'pull')).code).toBe(2);
    expect((await runLathe('--home', h, '--json', 'model', 'pull', 'not-a-name')).code).toBe(2);
    expect((await runLathe('--home', h, '--json', 'model', 'pull', 'a/b', '--source', 'github')).code).toBe(2);
    const missing = await runLathe('--home', h, '--json', 'model', 'rm', 'nobody/nothing');
    expect(missing.code).toBe(1);
    expect(missing.json().error.code).toBe('not_found');
    expect((await runLathe('model', '--help')).stdout).toMatch(/lathe model pull NAME \[--source hf\|modelscope\]/);
  });
});
