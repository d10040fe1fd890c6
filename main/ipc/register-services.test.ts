import { describe, expect, it } from 'vitest';
import { contract } from '../../preload/contract/index.js';
import { channelOf } from '../../preload/contract/define.js';
import { TEST_CALLER as caller, useTestBackend } from '../../test/helpers/test-backend.js';

const backends = useTestBackend();
const start = () => backends.start('electron');

describe('contract handlers (in-process transport)', () => {
  it('registers exactly one channel per contract method', () => {
    const b = start();
    const expected = Object.entries(contract).flatMap(([d, def]) => Object.keys(def.requests).map((m) => channelOf(d, m)));
    expect(b.handlers.channels().sort()).toEqual(expected.sort());
  });

  it('round-trips calls and emits events', async () => {
    const b = start();
    const events: unknown[] = [];
    b.events.subscribe((name, payload) => events.push({ name, payload }));
    const created = await b.handlers.invoke(caller, 'lathe:projects.create', { name: '  客服工单  ' });
    expect(created).toMatchObject({ ok: true, value: { name: '客服工单', datasetCount: 0 } });
    const id = (created as { value: { id: number } }).value.id;
    expect(events).toEqual([{ name: 'projects.changed', payload: { id, change: 'created' } }]);
    const list = await b.handlers.invoke(caller, 'lathe:projects.list', {});
    expect(list).toMatchObject({ ok: true, value: [{ id, name: '客服工单' }] });
    const info = await b.handlers.invoke(caller, 'lathe:app.info', undefined);
    expect(info).toMatchObject({ ok: true, value: { name: 'Lathe', transport: 'electron', home: backends.home } });
  });

  it('answers malformed calls with typed errors, never a throw', async () => {
    const b = start();
    expect(await b.handlers.invoke(caller, 'lathe:projects.create', { name: 42 })).toMatchObject({ ok: false, error: { name: 'LatheError', code: 'invalid_request' } });
    expect(await b.handlers.invoke(caller, 'lathe:projects.create', { name: 'x', extra: true })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await b.handlers.invoke(caller, 'lathe:projects.create', 'not an object')).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await b.handlers.invoke(caller, 'lathe:projects.constructor', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await b.handlers.invoke(caller, 42, {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await b.handlers.invoke(caller, 'lathe:projects.get', { id: 12345 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    await b.handlers.invoke(caller, 'lathe:projects.create', { name: 'Dup' });
    expect(await b.handlers.invoke(caller, 'lathe:projects.create', { name: 'dup' })).toMatchObject({ ok: false, error: { code: 'already_exists' } });
  });
});
