// Web mode's file upload: a browser cannot hand main a path, so a dropped file is streamed to the workspace's
// tmp/uploads folder and its server-side path returned. Streaming: memory stays flat for multi-GB files.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage } from 'node:http';
import { safeFileName } from '../workspace/safe-path.js';

export async function receiveUpload(req: IncomingMessage, tmpDir: string, rawName: string): Promise<{ path: string; bytes: number }> {
  const dir = path.join(tmpDir, 'uploads', crypto.randomBytes(8).toString('hex'));
  await fs.promises.mkdir(dir, { recursive: true });
  const rawExt = path.extname(rawName);
  // Keep a plain extension (the importer picks its reader by it); anything odd is dropped.
  const ext = /^\.[A-Za-z0-9]{1,10}$/.test(rawExt) ? rawExt.toLowerCase() : '';
  const base = safeFileName(path.basename(rawName, rawExt), 'upload');
  const file = path.join(dir, `${base}${ext}`);
  const partial = `${file}.part`;
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  try {
    await pipeline(req, fs.createWriteStream(partial, { flags: 'wx' }));
    await fs.promises.rename(partial, file);
  } catch (err) {
    await fs.promises.rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { path: file, bytes };
}
