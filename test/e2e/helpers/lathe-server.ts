// Starts the BUILT app in web mode (`node bin/lathe.mjs serve`) on a fresh workspace and a free port, as a user
// would, and stops it afterwards. Needs `npm run build` first (scripts/test.mjs does it).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

export interface LatheServer {
  url: string;
  origin: string;
  home: string;
  stop(): Promise<void>;
}

export async function startLatheServer(extraArgs: string[] = []): Promise<LatheServer> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lathe-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin', 'lathe.mjs'), '--home', home, '--json', 'serve', '--port', '0', ...extraArgs], {
    cwd: ROOT,
    // The demo project is named in the system's language (main/app/demo-project.ts): the tests expect English.
    env: { ...process.env, LC_ALL: 'en_US.UTF-8' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const info = await new Promise<{ url: string }>((resolve, reject) => {
    // A "did not start at all" bound: on a busy 2-core machine start-up (migrations, the demo seed) can take a while.
    const timer = setTimeout(() => reject(new Error(`lathe serve did not start: ${stderr}`)), 120_000);
    child.stdout!.on('data', (d) => {
      stdout += d;
      try {
        const doc = JSON.parse(stdout) as { url: string };
        clearTimeout(timer);
        resolve(doc);
      } catch {
        // Not a whole document yet.
      }
    });
    child.once('exit', (code) => reject(new Error(`lathe serve exited (${code}): ${stderr}`)));
  });
  return {
    url: info.url,
    origin: new URL(info.url).origin,
    home,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
