// The library domain through the bridge's handler table, as the renderer reaches it (Electron IPC and web mode use
// the same table): payloads validated at the boundary, a token never echoed back, and the whole pull flow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHub, tinyModelFiles, type FakeHub } from '../fixtures/hub/fake-hub-server.js';
import { TEST_CALLER as caller, useTestBackend } from '../helpers/test-backend.js';

let hub: FakeHub;
const backends = useTestBackend();

beforeAll(async () => {
  hub = await startFakeHub({ 'lathe/tiny-llama': { files: tinyModelFiles(), commit: '7'.repeat(40) } });
});
afterAll(() => hub.close());
const start = () => backends.start('web');

describe('library over the bridge', () => {
  it('refuses bad payloads at the boundary with messages people can act on', async () => {
    const b = start();
    const bad = async (method: string, payload: unknown) => {
      const r = await b.handlers.invoke(caller, `lathe:library.${method}`, payload);
      expect(r.ok, `${method} ${JSON.stringify(payload)}`).toBe(false);
      return (r as { error: { code: string; message: string } }).error;
    };
    expect(await bad('pull', { name: 'not-a-repo' })).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/owner\/name/) });
    expect(await bad('pull', { name: 'a/b', source: 'github' })).toMatchObject({ code: 'invalid_request' });
    expect(await bad('pull', { name: 'a/b', endpoint: 'https://user:pw@mirror.example' })).toMatchObject({ message: expect.stringMatching(/without user name, password or query/) });
    expect(await bad('pull', { name: 'a/b', revision: '../../etc' })).toMatchObject({ code: 'invalid_request' });
    expect(await bad('pull', { name: 'a/b', extra: 1 })).toMatchObject({ code: 'invalid_request' });
    const tokenErr = await bad('setToken', { source: 'hf', token: 'hf_has a space in it' });
    expect(tokenErr.message).toMatch(/no spaces/);
    expect(JSON.stringify(tokenErr)).not.toContain('has a space');
    expect(await bad('check', { id: 999 })).toMatchObject({ code: 'not_found' });
  });

  it('pulls, reports the end as an event, lists, removes', async () => {
    const b = start();
    const events: { name: string; payload: any }[] = [];
    b.events.subscribe((name, payload) => events.push({ name, payload }));
    const started = await b.handlers.invoke(caller, 'lathe:library.pull', { name: 'lathe/tiny-llama', endpoint: hub.url });
    expect(started).toMatchObject({ ok: true, value: { name: 'lathe/tiny-llama', source: 'hf', revision: 'main', state: 'listing' } });
    await expect.poll(() => events.find((e) => e.name === 'library.finished')?.payload.state, { timeout: 20_000 }).toBe('done');
    const list = await b.handlers.invoke(caller, 'lathe:library.list', {});
    expect(list).toMatchObject({ ok: true, value: [{ name: 'lathe-tiny-llama', builtIn: true }, { name: 'lathe/tiny-llama', status: 'ready', builtIn: false }] });
    const id = (list as { value: { id: number }[] }).value[1]!.id;
    const card = await b.handlers.invoke(caller, 'lathe:library.card', { id });
    expect(card).toMatchObject({ ok: true, value: { architecture: 'LlamaForCausalLM' } });
    expect(await b.handlers.invoke(caller, 'lathe:library.remove', { id })).toEqual({ ok: true, value: { removed: true, deletedFiles: true } });
  });
});
