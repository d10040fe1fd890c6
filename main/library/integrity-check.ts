// Checks a model folder: every file the hub listed is there with its size (and, when asked, its SHA-256 / git
// blob id), and the folder makes a model: config.json readable, a tokenizer, every safetensors shard present and
// exactly as long as its header says. Reads headers and hashes files; never changes anything (repair does).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExpectedFile, FileProblem, LibraryStatus } from '../db/library-store.js';
import { PART_SUFFIX } from '../hub/file-download.js';
import { listWeightFiles, readSafetensorsHeader } from '../models/safetensors-header.js';

/** Codes of the problems' details (the renderer has a `main.<code>` text for each; a test checks). */
export const INTEGRITY_CODES = [
  'library.folderGone',
  'library.partial',
  'library.partialOf',
  'library.fileMissing',
  'library.sizeVsHub',
  'library.checksum',
  'library.noConfig',
  'library.configNotJson',
  'library.noTokenizer',
  'library.noWeights',
  'library.indexedWeightMissing',
  'library.cutShort',
  'library.tooLong',
  'library.headerUnreadable',
] as const;
type IntegrityCode = (typeof INTEGRITY_CODES)[number];

function problem(path: string, kind: FileProblem['problem'], code: IntegrityCode, params: Readonly<Record<string, string | number>>, detail: string): FileProblem {
  return { path, problem: kind, detail, code, params };
}

export interface IntegrityReport {
  readonly status: Exclude<LibraryStatus, 'downloading'>;
  readonly problems: readonly FileProblem[];
  readonly diskBytes: number;
}

export interface CheckOptions {
  /** Hash every file with a known checksum (reads the whole model). */
  readonly full?: boolean;
  readonly signal?: AbortSignal;
  /** How to hash one file; the service passes one that runs in a worker thread. Default: inline. */
  readonly hash?: (path: string, file: ExpectedFile) => Promise<FileHashes>;
}

export interface FileHashes {
  readonly sha256: string;
  readonly gitSha1: string | null;
}

async function sizeOf(p: string): Promise<number | null> {
  try {
    const s = await fs.stat(p);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

/** Bytes under a folder, recursively. */
export async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await folderBytes(p);
    else if (e.isFile()) total += (await sizeOf(p)) ?? 0;
  }
  return total;
}

export async function hashFile(p: string, file: ExpectedFile, signal?: AbortSignal): Promise<FileHashes> {
  const sha256 = createHash('sha256');
  const sha1 = file.gitSha1 && file.size !== null ? createHash('sha1').update(`blob ${file.size}\0`) : null;
  for await (const chunk of createReadStream(p, { signal, highWaterMark: 1 << 20 })) {
    sha256.update(chunk as Buffer);
    sha1?.update(chunk as Buffer);
  }
  return { sha256: sha256.digest('hex'), gitSha1: sha1?.digest('hex') ?? null };
}

/** The length a safetensors file must have: 8 + header length + the end of the last tensor's data. */
async function expectedSafetensorsLength(p: string): Promise<number> {
  const fh = await fs.open(p, 'r');
  let headerLen: number;
  try {
    const buf = Buffer.alloc(8);
    await fh.read(buf, 0, 8, 0);
    headerLen = Number(buf.readBigUInt64LE(0));
  } finally {
    await fh.close();
  }
  const header = await readSafetensorsHeader(p);
  let end = 0;
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const offsets = (t as { data_offsets?: [number, number] }).data_offsets;
    if (offsets) end = Math.max(end, offsets[1]);
  }
  return 8 + headerLen + end;
}

export async function checkModelFolder(dir: string, expected: readonly ExpectedFile[], opts: CheckOptions = {}): Promise<IntegrityReport> {
  try {
    if (!(await fs.stat(dir)).isDirectory()) throw new Error();
  } catch {
    return { status: 'missing', problems: [problem('.', 'missing', 'library.folderGone', { dir }, `The folder ${dir} does not exist any more.`)], diskBytes: 0 };
  }
  const problems: FileProblem[] = [];
  const seen = new Set<string>();
  const add = (p: FileProblem) => {
    if (seen.has(p.path)) return;
    seen.add(p.path);
    problems.push(p);
  };

  for (const f of expected) {
    const p = path.join(dir, ...f.path.split('/'));
    const size = await sizeOf(p);
    if (size === null) {
      const part = await sizeOf(p + PART_SUFFIX);
      add(
        part === null
          ? problem(f.path, 'missing', 'library.fileMissing', {}, 'The file is missing.')
          : f.size !== null
            ? problem(f.path, 'partial', 'library.partialOf', { done: part, total: f.size }, `Only ${part} of ${f.size} bytes downloaded.`)
            : problem(f.path, 'partial', 'library.partial', { done: part }, `Only ${part} bytes downloaded.`),
      );
      continue;
    }
    if (f.size !== null && size !== f.size) {
      add(problem(f.path, 'size', 'library.sizeVsHub', { size, expected: f.size }, `It has ${size} bytes; the hub lists ${f.size}.`));
      continue;
    }
    if (opts.full && (f.sha256 || f.gitSha1)) {
      const h = opts.hash ? await opts.hash(p, f) : await hashFile(p, f, opts.signal);
      if (f.sha256 ? h.sha256 !== f.sha256 : h.gitSha1 !== f.gitSha1) add(problem(f.path, 'checksum', 'library.checksum', {}, `Its checksum does not match the hub's: the file is damaged.`));
    }
  }

  // The folder must also make a model, whether or not a hub listing is known.
  const config = path.join(dir, 'config.json');
  if ((await sizeOf(config)) === null) add(problem('config.json', 'missing', 'library.noConfig', {}, 'No config.json: this is not a Hugging Face model folder.'));
  else {
    try {
      JSON.parse(await fs.readFile(config, 'utf8'));
    } catch {
      add(problem('config.json', 'unreadable', 'library.configNotJson', {}, 'config.json is not valid JSON.'));
    }
  }
  if ((await sizeOf(path.join(dir, 'tokenizer.json'))) === null && (await sizeOf(path.join(dir, 'tokenizer.model'))) === null) {
    add(problem('tokenizer.json', 'missing', 'library.noTokenizer', {}, 'No tokenizer.json (or tokenizer.model).'));
  }
  let weights: string[] = [];
  try {
    weights = await listWeightFiles(dir);
  } catch (err) {
    add({ path: 'model.safetensors.index.json', problem: 'unreadable', detail: (err as Error).message });
  }
  // Every safetensors file the hub listed is checked too, even one no index names.
  const listed = expected.filter((f) => f.path.endsWith('.safetensors') && !f.path.includes('/')).map((f) => f.path);
  weights = [...new Set([...weights, ...listed])].sort();
  if (weights.length === 0 && !seen.has('model.safetensors.index.json')) {
    add(problem('model.safetensors', 'missing', 'library.noWeights', {}, 'No safetensors weights in the folder.'));
  }
  for (const w of weights) {
    const p = path.join(dir, w);
    const size = await sizeOf(p);
    if (size === null) {
      add(problem(w, (await sizeOf(p + PART_SUFFIX)) !== null ? 'partial' : 'missing', 'library.indexedWeightMissing', {}, 'A weights file named by the index is missing.'));
      continue;
    }
    try {
      const want = await expectedSafetensorsLength(p);
      if (want !== size) {
        add(problem(w, 'size', size < want ? 'library.cutShort' : 'library.tooLong', { size, expected: want }, `It has ${size} bytes; its header describes ${want}: the file is ${size < want ? 'cut short' : 'damaged'}.`));
      }
    } catch {
      add(problem(w, 'unreadable', 'library.headerUnreadable', {}, 'Its safetensors header cannot be read: the file is damaged.'));
    }
  }

  const incomplete = problems.some((p) => p.problem === 'missing' || p.problem === 'partial');
  const corrupted = problems.some((p) => p.problem === 'size' || p.problem === 'checksum' || p.problem === 'unreadable');
  return { status: corrupted ? 'corrupted' : incomplete ? 'incomplete' : 'ready', problems, diskBytes: await folderBytes(dir) };
}
