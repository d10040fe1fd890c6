// Where the workspace lives when nobody says: --home beats LATHE_HOME beats the OS per-user app-data folder.
import os from 'node:os';
import path from 'node:path';

export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'win32') return path.win32.join(env.APPDATA || path.win32.join(home, 'AppData', 'Roaming'), 'Lathe');
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'Lathe');
  return path.posix.join(env.XDG_DATA_HOME || path.posix.join(home, '.local', 'share'), 'lathe');
}

export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag ?? env.LATHE_HOME;
  return chosen ? path.resolve(chosen) : defaultHome(env);
}
