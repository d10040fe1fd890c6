import { afterEach, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../services/backend.js';
import { tempHome } from '../../test/helpers/temp-home.js';

let backend: Backend | undefined;
let home: { dir: string; cleanup(): void } | undefined;
afterEach(() => {
  backend?.close();
  home?.cleanup();
});

describe('app service', () => {
  it('pickPath: the desktop dialog answers with the chosen path, or none when cancelled', async () => {
    home = tempHome();
    const asked: unknown[] = [];
    let answer: string | undefined = '/data/tickets.xlsx';
    backend = startBackend(home.dir, 'electron', { dialogs: { pickPath: async (...args) => (asked.push(args), answer) } });
    const r = await backend.handlers.invoke({ transport: 'test' }, 'lathe:app.pickPath', { kind: 'file', filters: [{ name: 'Spreadsheets', extensions: ['xlsx'] }] });
    expect(r).toEqual({ ok: true, value: { path: '/data/tickets.xlsx' } });
    expect(asked).toEqual([['file', undefined, [{ name: 'Spreadsheets', extensions: ['xlsx'] }]]]);
    answer = undefined;
    expect(await backend.handlers.invoke({ transport: 'test' }, 'lathe:app.pickPath', { kind: 'folder' })).toEqual({ ok: true, value: {} });
    expect(await backend.handlers.invoke({ transport: 'test' }, 'lathe:app.pickPath', { kind: 'folder', filters: [{ name: 'x', extensions: ['../x'] }] })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });

  it('pickPath in web mode says the browser uploads instead', async () => {
    home = tempHome();
    backend = startBackend(home.dir, 'web');
    expect(await backend.handlers.invoke({ transport: 'test' }, 'lathe:app.pickPath', { kind: 'file' })).toMatchObject({ ok: false, error: { code: 'unsupported', message: expect.stringMatching(/upload/) } });
  });
});
