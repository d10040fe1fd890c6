// The keychain backends against stand-ins: a fake `secret-tool` on PATH (same arguments and stdin protocol as
// libsecret's) and a mocked Electron safeStorage. Checks what reaches the disk is never the clear token.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { electronBackend, secretToolBackend, TokenStore, usableBackends } from './token-store.js';

const TOKEN = 'hf_backend_token_abcdef0123';
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lathe-keychain-'));
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A `secret-tool` that keeps secrets in files named by their attributes, as the real one keeps them in the keyring. */
function fakeSecretTool(works = true): string {
  const bin = tmp();
  const store = tmp();
  const script = works
    ? `#!/bin/sh
cmd="$1"; shift
key=$(printf '%s' "$*" | sed 's/--label=[^ ]* [^ ]* //; s/[^A-Za-z0-9-]/_/g')
case "$cmd" in
  store) cat > "${store}/$key" ;;
  lookup) [ -f "${store}/$key" ] && cat "${store}/$key" || exit 1 ;;
  clear) rm -f "${store}/$key" ;;
esac
`
    : `#!/bin/sh\necho "Cannot autolaunch D-Bus without X11 \\$DISPLAY" >&2\nexit 1\n`;
  fs.writeFileSync(path.join(bin, 'secret-tool'), script, { mode: 0o755 });
  const before = process.env.PATH;
  process.env.PATH = `${bin}${path.delimiter}${before}`;
  cleanups.push(() => (process.env.PATH = before));
  return store;
}

describe.skipIf(process.platform === 'win32')('libsecret backend (secret-tool)', () => {
  it('stores through stdin, reads back in a new store, clears', async () => {
    const store = fakeSecretTool();
    expect(await usableBackends([secretToolBackend])).toEqual([secretToolBackend]);
    const s = new TokenStore([secretToolBackend], {});
    expect(await s.set('hf', TOKEN)).toMatchObject({ present: true, storage: 'keychain', note: 'Stored in the system keyring (libsecret).' });
    expect(fs.readdirSync(store)).toHaveLength(1);
    expect(await new TokenStore([secretToolBackend], {}).get('hf')).toBe(TOKEN);
    await s.clear('hf');
    expect(fs.readdirSync(store)).toHaveLength(0);
    expect(await new TokenStore([secretToolBackend], {}).get('hf')).toBeNull();
  });

  it('is left out when there is no keyring session, so the token stays in memory', async () => {
    fakeSecretTool(false);
    expect(await usableBackends([secretToolBackend])).toEqual([]);
  });

  it('is left out when secret-tool is not installed', async () => {
    const before = process.env.PATH;
    process.env.PATH = tmp();
    cleanups.push(() => (process.env.PATH = before));
    expect(await usableBackends([secretToolBackend])).toEqual([]);
  });
});

describe('Electron safeStorage backend', () => {
  it('writes only ciphertext to disk and reads it back', async () => {
    vi.doMock('electron', () => ({
      safeStorage: {
        isEncryptionAvailable: () => true,
        encryptString: (s: string) => Buffer.from(s, 'utf8').map((b) => b ^ 0x5a),
        decryptString: (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8'),
      },
    }));
    try {
      const dir = tmp();
      const b = electronBackend(dir);
      await b.write('hf-token', TOKEN);
      const files = fs.readdirSync(dir);
      expect(files).toEqual(['hf-token.safestorage']);
      expect(fs.readFileSync(path.join(dir, files[0]!)).includes(TOKEN)).toBe(false);
      expect(await b.read('hf-token')).toBe(TOKEN);
      await b.erase('hf-token');
      expect(await b.read('hf-token')).toBeNull();
    } finally {
      vi.doUnmock('electron');
    }
  });
});
