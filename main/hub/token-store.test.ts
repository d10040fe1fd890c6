import { describe, expect, it } from 'vitest';
import { TokenStore, type SecretBackend } from './token-store.js';

function fakeKeychain(works = true): SecretBackend & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    kind: 'keychain',
    label: 'the test keychain',
    data,
    async read(acc) {
      if (!works) throw new Error('no D-Bus session');
      return data.get(acc) ?? null;
    },
    async write(acc, secret) {
      if (!works) throw new Error(`cannot store ${secret}`);
      data.set(acc, secret);
    },
    async erase(acc) {
      data.delete(acc);
    },
  };
}

describe('token store', () => {
  it('without a keychain keeps the token in memory for the session and says so', async () => {
    const s = new TokenStore([], {});
    expect(await s.status('hf')).toMatchObject({ present: false, storage: 'none' });
    expect(await s.status('hf')).toMatchObject({ note: expect.stringMatching(/No OS keychain was found/), noteCode: 'token.noneNoKeychain', noteParams: { env: 'HF_TOKEN' } });
    const st = await s.set('hf', 'hf_memory_token_1');
    expect(st).toMatchObject({ present: true, storage: 'memory' });
    expect(st.note).toMatch(/this session only/);
    expect(await s.get('hf')).toBe('hf_memory_token_1');
    expect(await s.get('modelscope')).toBeNull();
    await s.clear('hf');
    expect(await s.get('hf')).toBeNull();
  });

  it('stores in the keychain when it works, and a fresh store reads it back', async () => {
    const k = fakeKeychain();
    await new TokenStore([k], {}).set('modelscope', 'ms_token_123456');
    expect([...k.data.keys()]).toEqual(['modelscope-token']);
    const again = new TokenStore([k], {});
    expect(await again.get('modelscope')).toBe('ms_token_123456');
    expect(await again.status('modelscope')).toMatchObject({ present: true, storage: 'keychain', note: 'Stored in the test keychain.', noteCode: 'token.stored', noteParams: { where: 'the test keychain' } });
    await again.clear('modelscope');
    expect(k.data.size).toBe(0);
  });

  it('falls back to memory when the keychain fails, without the token in the note', async () => {
    const s = new TokenStore([fakeKeychain(false)], {});
    const st = await s.set('hf', 'hf_secret_in_error_1');
    expect(st.storage).toBe('memory');
    expect(st.note).toMatch(/the test keychain did not work/);
    expect(st.note).not.toContain('hf_secret_in_error_1');
    expect(await s.get('hf')).toBe('hf_secret_in_error_1');
  });

  it('uses HF_TOKEN / MODELSCOPE_API_TOKEN when nothing is stored; a stored token wins', async () => {
    const s = new TokenStore([], { HF_TOKEN: 'hf_from_env_123', MODELSCOPE_API_TOKEN: ' ms_env_456789 ' });
    expect(await s.get('hf')).toBe('hf_from_env_123');
    expect(await s.get('modelscope')).toBe('ms_env_456789');
    expect((await s.status('hf')).note).toMatch(/HF_TOKEN environment variable/);
    await s.set('hf', 'hf_typed_in_app_1');
    expect(await s.get('hf')).toBe('hf_typed_in_app_1');
  });

  it('finds its backends lazily, once', async () => {
    let probes = 0;
    const k = fakeKeychain();
    const s = new TokenStore(async () => (probes++, [k]), {});
    await s.status('hf');
    await s.set('hf', 'hf_lazy_token_1');
    expect(probes).toBe(1);
    expect(k.data.get('hf-token')).toBe('hf_lazy_token_1');
  });
});
