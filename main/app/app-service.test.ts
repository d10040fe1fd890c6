import { describe, expect, it } from 'vitest';
import { TEST_CALLER, useTestBackend } from '../../test/helpers/test-backend.js';

const backends = useTestBackend();

describe('app service', () => {
  it('pickPath: the desktop dialog answers with the chosen path, or none when cancelled', async () => {
    const asked: unknown[] = [];
    let answer: string | undefined = '/data/tickets.xlsx';
    const backend = backends.start('electron', { dialogs: { pickPath: async (...args) => (asked.push(args), answer), reveal: () => undefined } });
    const r = await backend.handlers.invoke(TEST_CALLER, 'lathe:app.pickPath', { kind: 'file', filters: [{ name: 'Spreadsheets', extensions: ['xlsx'] }] });
    expect(r).toEqual({ ok: true, value: { path: '/data/tickets.xlsx' } });
    expect(asked).toEqual([['file', undefined, [{ name: 'Spreadsheets', extensions: ['xlsx'] }]]]);
    answer = undefined;
    expect(await backend.handlers.invoke(TEST_CALLER, 'lathe:app.pickPath', { kind: 'folder' })).toEqual({ ok: true, value: {} });
    expect(await backend.handlers.invoke(TEST_CALLER, 'lathe:app.pickPath', { kind: 'folder', filters: [{ name: 'x', extensions: ['../x'] }] })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });

  it('revealPath shows an existing item in the file manager; a missing one is named', async () => {
    const revealed: string[] = [];
    const backend = backends.start('electron', { dialogs: { pickPath: async () => undefined, reveal: (p) => revealed.push(p) } });
    expect(await backend.handlers.invoke(TEST_CALLER, 'lathe:app.revealPath', { path: backends.home })).toEqual({ ok: true, value: { revealed: true } });
    expect(revealed).toEqual([backends.home]);
    expect(await backend.handlers.invoke(TEST_CALLER, 'lathe:app.revealPath', { path: `${backends.home}/gone` })).toMatchObject({ ok: false, error: { code: 'not_found', message: expect.stringMatching(/does not exist/) } });
    const web = backends.start('web');
    expect(await web.handlers.invoke(TEST_CALLER, 'lathe:app.revealPath', { path: backends.home })).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('pickPath in web mode says the browser uploads instead', async () => {
    const backend = backends.start('web');
    expect(await backend.handlers.invoke(TEST_CALLER, 'lathe:app.pickPath', { kind: 'file' })).toMatchObject({ ok: false, error: { code: 'unsupported', message: expect.stringMatching(/upload/) } });
  });
});
