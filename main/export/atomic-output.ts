// An export's output folder, built as `<out>.partial-<random>` beside its destination and renamed into place only
// when complete; removed on failure or cancel. Also the free-disk check. Does not decide what goes inside.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, statfs } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';

export class AtomicOutput {
  private constructor(
    readonly finalDir: string,
    readonly dir: string,
  ) {}

  /** Refuses an existing destination (never overwrites a user's folder) and a disk without room for `needBytes`. */
  static async begin(finalDir: string, needBytes: number): Promise<AtomicOutput> {
    if (existsSync(finalDir)) throw new LatheError('already_exists', `${finalDir} already exists: choose another output folder or remove it first.`, { path: finalDir });
    const parent = dirname(finalDir);
    await mkdir(parent, { recursive: true });
    const free = await freeBytes(parent);
    // 2% and 64 MiB of headroom: file-system metadata, and other writers on the same disk.
    const want = Math.ceil(needBytes * 1.02) + 64 * 2 ** 20;
    if (free !== null && free < want) {
      throw new LatheError('io_error', `Not enough free disk space in ${parent}: the export needs about ${gib(want)} GiB, ${gib(free)} GiB are free. Free some space or choose another folder.`, { path: parent, needBytes: want, freeBytes: free });
    }
    const dir = join(parent, `${basename(finalDir)}.partial-${randomBytes(4).toString('hex')}`);
    await mkdir(dir);
    return new AtomicOutput(finalDir, dir);
  }

  async commit(): Promise<void> {
    if (existsSync(this.finalDir)) throw new LatheError('already_exists', `${this.finalDir} appeared while exporting: the export is kept in ${this.dir}.`, { path: this.finalDir });
    await rename(this.dir, this.finalDir);
  }

  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

export async function freeBytes(dir: string): Promise<number | null> {
  try {
    const s = await statfs(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

function gib(n: number): string {
  return (n / 2 ** 30).toFixed(1);
}

/**
 * Removes `*.partial-*` folders older than maxAgeMs in dir: what a killed process (power cut, SIGKILL) left behind.
 * Younger ones may belong to an export still running in another process (the CLI beside the app) and stay.
 */
export async function removeStalePartials(dir: string, maxAgeMs = 24 * 3600 * 1000, now = Date.now()): Promise<string[]> {
  const { readdir, stat } = await import('node:fs/promises');
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!/\.partial-[0-9a-f]{8}$/.test(name)) continue;
    const p = join(dir, name);
    const s = await stat(p).catch(() => null);
    if (s?.isDirectory() && now - s.mtimeMs > maxAgeMs) {
      await rm(p, { recursive: true, force: true });
      removed.push(p);
    }
  }
  return removed;
}
