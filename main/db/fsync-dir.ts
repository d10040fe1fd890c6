// Makes a new file's name in a folder durable: on Linux/macOS a created file's directory entry survives a power cut
// only once the directory itself is fsynced. Windows cannot open a directory for that (NTFS journals the entry), so
// there it does nothing.
import fs from 'node:fs';

export function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
