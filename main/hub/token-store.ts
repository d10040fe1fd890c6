// Hub access tokens (HF and ModelScope), kept in the OS keychain where there is one: libsecret's `secret-tool`
// on Linux, `security` on macOS, DPAPI through PowerShell on Windows, or Electron's safeStorage inside the app.
// Where none works, the token lives in this process's memory for the session only — and the status says so.
// Tokens are never written to the workspace DB, never put in error messages, never logged.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { HubSource } from './hub-types.js';

export type TokenStorage = 'keychain' | 'electron' | 'memory' | 'none';

export interface SecretBackend {
  readonly kind: 'keychain' | 'electron';
  readonly label: string;
  /** The secret, null when none is stored. Throws when the backend does not work here. */
  read(account: string): Promise<string | null>;
  write(account: string, secret: string): Promise<void>;
  erase(account: string): Promise<void>;
}

export interface TokenStatus {
  readonly source: HubSource;
  readonly present: boolean;
  readonly storage: TokenStorage;
  readonly note: string;
  readonly noteCode: (typeof TOKEN_NOTE_CODES)[number];
  readonly noteParams: Readonly<Record<string, string>>;
}

/** Codes of the status notes (the renderer has a `main.<code>` text for each; a test checks). */
export const TOKEN_NOTE_CODES = ['token.inMemory', 'token.stored', 'token.fromEnv', 'token.noneStoredIn', 'token.noneNoKeychain'] as const;

/** The environment variables each hub's own tools read; used when no token is stored. */
export const TOKEN_ENV: Readonly<Record<HubSource, string>> = { hf: 'HF_TOKEN', modelscope: 'MODELSCOPE_API_TOKEN' };

const SERVICE = 'lathe-hub-token';

export class TokenStore {
  private readonly memory = new Map<HubSource, string>();
  private readonly cached = new Map<HubSource, string | null>();
  private readonly cachedFrom = new Map<HubSource, SecretBackend>();
  private readonly failures = new Map<HubSource, string>();

  private backends: readonly SecretBackend[] = [];
  private ready: Promise<void> | undefined;

  /** `backends` may be a function that finds them (probing a keychain tool is async); it runs once, on first use. */
  constructor(
    backends: readonly SecretBackend[] | (() => Promise<readonly SecretBackend[]>),
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    if (typeof backends === 'function') this.find = backends;
    else this.backends = backends;
  }

  private find: (() => Promise<readonly SecretBackend[]>) | undefined;

  private async init(): Promise<void> {
    if (!this.find) return;
    this.ready ??= this.find().then(
      (b) => void (this.backends = b),
      () => void (this.backends = []),
    );
    await this.ready;
  }

  /** The token to send: memory (this session), else the keychain, else the hub's environment variable. */
  async get(source: HubSource): Promise<string | null> {
    await this.init();
    const inMemory = this.memory.get(source);
    if (inMemory) return inMemory;
    const stored = await this.readStored(source);
    if (stored) return stored;
    return this.env[TOKEN_ENV[source]]?.trim() || null;
  }

  async set(source: HubSource, token: string): Promise<TokenStatus> {
    await this.init();
    this.memory.delete(source);
    this.failures.delete(source);
    for (const b of this.backends) {
      try {
        await b.write(account(source), token);
        this.cached.set(source, token);
        this.cachedFrom.set(source, b);
        return this.status(source);
      } catch (err) {
        this.failures.set(source, `${b.label} did not work (${scrub((err as Error).message, token)})`);
      }
    }
    this.memory.set(source, token);
    return this.status(source);
  }

  async clear(source: HubSource): Promise<TokenStatus> {
    await this.init();
    this.memory.delete(source);
    this.cached.set(source, null);
    for (const b of this.backends) await b.erase(account(source)).catch(() => undefined);
    return this.status(source);
  }

  async status(source: HubSource): Promise<TokenStatus> {
    await this.init();
    const envName = TOKEN_ENV[source];
    if (this.memory.has(source)) {
      const why = this.failures.get(source) ?? (this.backends.length ? 'the keychain is not available' : 'no OS keychain was found');
      return { source, present: true, storage: 'memory', note: `Kept in memory for this session only: ${why}. It is forgotten when Lathe quits.`, noteCode: 'token.inMemory', noteParams: { why } };
    }
    const stored = await this.readStored(source);
    if (stored) {
      const b = this.cachedFrom.get(source) ?? this.backends[0]!;
      return { source, present: true, storage: b.kind, note: `Stored in ${b.label}.`, noteCode: 'token.stored', noteParams: { where: b.label } };
    }
    if (this.env[envName]?.trim()) return { source, present: true, storage: 'none', note: `Taken from the ${envName} environment variable.`, noteCode: 'token.fromEnv', noteParams: { env: envName } };
    if (this.backends.length) {
      const where = this.backends[0]!.label;
      return { source, present: false, storage: 'none', note: `No token. One added here is stored in ${where}.`, noteCode: 'token.noneStoredIn', noteParams: { where } };
    }
    return {
      source,
      present: false,
      storage: 'none',
      note: `No token. No OS keychain was found, so one added here is kept in memory for this session only (or set ${envName}).`,
      noteCode: 'token.noneNoKeychain',
      noteParams: { env: envName },
    };
  }

  private async readStored(source: HubSource): Promise<string | null> {
    if (this.cached.has(source)) return this.cached.get(source) ?? null;
    for (const b of this.backends) {
      try {
        const v = await b.read(account(source));
        if (v) {
          this.cached.set(source, v);
          this.cachedFrom.set(source, b);
          return v;
        }
      } catch {
        // This backend does not work here (no D-Bus session, no keychain): try the next.
      }
    }
    this.cached.set(source, null);
    return null;
  }
}

function account(source: HubSource): string {
  return `${source}-token`;
}

/** An error message with the secret removed, in case a tool echoes its input. */
function scrub(message: string, secret: string): string {
  return message.split(secret).join('***').slice(0, 200);
}

interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a keychain tool; the secret goes through stdin where the tool allows it, never through logs. */
function runTool(cmd: string, args: readonly string[], input?: string, timeoutMs = 10_000): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    // A tool that fails fast (no keyring session) closes its stdin before reading it: that is its exit code's story.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

/** Linux: libsecret through `secret-tool` (GNOME Keyring, KWallet's Secret Service). */
export const secretToolBackend: SecretBackend = {
  kind: 'keychain',
  label: 'the system keyring (libsecret)',
  async read(acc) {
    const r = await runTool('secret-tool', ['lookup', 'service', SERVICE, 'account', acc]);
    if (r.code === 0) return r.stdout.trim() || null;
    if (r.stderr.trim()) throw new Error(r.stderr.trim());
    return null;
  },
  async write(acc, secret) {
    const r = await runTool('secret-tool', ['store', `--label=Lathe ${acc}`, 'service', SERVICE, 'account', acc], secret);
    if (r.code !== 0) throw new Error(r.stderr.trim() || `secret-tool exited ${r.code}`);
  },
  async erase(acc) {
    await runTool('secret-tool', ['clear', 'service', SERVICE, 'account', acc]);
  },
};

/** macOS: the login keychain through `security`. (`-w` takes the secret as an argument: macOS offers no stdin form.) */
export const macKeychainBackend: SecretBackend = {
  kind: 'keychain',
  label: 'the macOS Keychain',
  async read(acc) {
    const r = await runTool('security', ['find-generic-password', '-s', SERVICE, '-a', acc, '-w']);
    return r.code === 0 ? r.stdout.trim() || null : null;
  },
  async write(acc, secret) {
    const r = await runTool('security', ['add-generic-password', '-U', '-s', SERVICE, '-a', acc, '-w', secret]);
    if (r.code !== 0) throw new Error(r.stderr.trim() || `security exited ${r.code}`);
  },
  async erase(acc) {
    await runTool('security', ['delete-generic-password', '-s', SERVICE, '-a', acc]);
  },
};

/** Windows: DPAPI (user-bound encryption) via PowerShell's ConvertFrom-SecureString; the ciphertext is a file. */
export function dpapiBackend(dir: string): SecretBackend {
  const file = (acc: string) => path.join(dir, `${acc}.dpapi`);
  const ps = (script: string, input?: string) => runTool('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], input);
  return {
    kind: 'keychain',
    label: 'Windows DPAPI',
    async read(acc) {
      let cipher: string;
      try {
        cipher = (await fs.readFile(file(acc), 'utf8')).trim();
      } catch {
        return null;
      }
      const r = await ps(
        '$c = [Console]::In.ReadToEnd().Trim(); $s = ConvertTo-SecureString $c; [Runtime.InteropServices.Marshal]::PtrToStringBSTR([Runtime.InteropServices.Marshal]::SecureStringToBSTR($s))',
        cipher,
      );
      if (r.code !== 0) throw new Error(r.stderr.trim());
      return r.stdout.trim() || null;
    },
    async write(acc, secret) {
      const r = await ps('$p = [Console]::In.ReadToEnd().Trim(); ConvertTo-SecureString $p -AsPlainText -Force | ConvertFrom-SecureString', secret);
      if (r.code !== 0 || !r.stdout.trim()) throw new Error(r.stderr.trim() || 'PowerShell gave no output');
      await fs.mkdir(dir, { recursive: true });
      const tmp = `${file(acc)}.tmp`;
      await fs.writeFile(tmp, r.stdout.trim(), { mode: 0o600 });
      await fs.rename(tmp, file(acc));
    },
    async erase(acc) {
      await fs.rm(file(acc), { force: true });
    },
  };
}

/** Inside Electron: safeStorage (Keychain / DPAPI / libsecret under the hood); the ciphertext is a file. */
export function electronBackend(dir: string): SecretBackend {
  const file = (acc: string) => path.join(dir, `${acc}.safestorage`);
  const safeStorage = async () => {
    const electron = (await import('electron')) as unknown as { safeStorage?: { isEncryptionAvailable(): boolean; encryptString(s: string): Buffer; decryptString(b: Buffer): string } };
    const s = electron.safeStorage;
    if (!s?.isEncryptionAvailable()) throw new Error('Electron safeStorage has no encryption here');
    return s;
  };
  return {
    kind: 'electron',
    label: 'the app’s encrypted storage (Electron safeStorage)',
    async read(acc) {
      let blob: Buffer;
      try {
        blob = await fs.readFile(file(acc));
      } catch {
        return null;
      }
      return (await safeStorage()).decryptString(blob) || null;
    },
    async write(acc, secret) {
      const blob = (await safeStorage()).encryptString(secret);
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(`${file(acc)}.tmp`, blob, { mode: 0o600 });
      await fs.rename(`${file(acc)}.tmp`, file(acc));
    },
    async erase(acc) {
      await fs.rm(file(acc), { force: true });
    },
  };
}

/** The backends to try on this machine, best first. `secretsDir` holds encrypted blobs (never clear text). */
export function platformBackends(secretsDir: string, platform: NodeJS.Platform = process.platform): SecretBackend[] {
  const out: SecretBackend[] = [];
  if (process.versions.electron) out.push(electronBackend(secretsDir));
  if (platform === 'linux') out.push(secretToolBackend);
  else if (platform === 'darwin') out.push(macKeychainBackend);
  else if (platform === 'win32') out.push(dpapiBackend(secretsDir));
  return out;
}

/** Drops backends that cannot work here (tool missing, no D-Bus), so status notes are honest. */
export async function usableBackends(candidates: readonly SecretBackend[]): Promise<SecretBackend[]> {
  const ok: SecretBackend[] = [];
  for (const b of candidates) {
    try {
      await b.read('probe');
      ok.push(b);
    } catch {
      // Missing tool (ENOENT) or no keyring session.
    }
  }
  return ok;
}
