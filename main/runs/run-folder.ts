// Where a run keeps its files, all under <workspace>/projects/<project>/runs/<run>/: the config (YAML and engine
// JSON), the log, the prepared data, and the engine's output (checkpoints, final adapter). Paths only, plus
// the read-only scans a resume needs; no writes besides creating the folders.
import fs from 'node:fs';
import path from 'node:path';
import type { WorkspacePaths } from '../workspace/workspace.js';

export interface RunFolder {
  readonly dir: string;
  /** Relative to the workspace home, as the DB stores it. */
  readonly rel: string;
  readonly yaml: string;
  readonly engineConfig: string;
  readonly generateConfig: string;
  readonly log: string;
  readonly data: string;
  readonly trainLtok: string;
  readonly evalLtok: string;
  readonly evalPrompts: string;
  /** One content hash per training row, in order. */
  readonly trainRows: string;
  readonly output: string;
  readonly predictions: string;
}

export function runFolder(paths: WorkspacePaths, projectId: number, runId: number): RunFolder {
  const dir = path.join(paths.project(projectId), 'runs', String(Math.trunc(runId)));
  const data = path.join(dir, 'data');
  return {
    dir,
    rel: path.relative(paths.home, dir).split(path.sep).join('/'),
    yaml: path.join(dir, 'run.yaml'),
    engineConfig: path.join(dir, 'engine.json'),
    generateConfig: path.join(dir, 'engine-generate.json'),
    log: path.join(dir, 'run.log'),
    data,
    trainLtok: path.join(data, 'train.ltok'),
    evalLtok: path.join(data, 'eval.ltok'),
    evalPrompts: path.join(data, 'eval-prompts.jsonl'),
    trainRows: path.join(data, 'train-rows.txt'),
    output: path.join(dir, 'output'),
    predictions: path.join(dir, 'predictions.jsonl'),
  };
}

export interface CheckpointOnDisk {
  readonly step: number;
  readonly dir: string;
}

/** Complete checkpoints (those with trainer_state.json; the engine renames a finished one into place), oldest first. */
export async function listCheckpoints(outputDir: string): Promise<CheckpointOnDisk[]> {
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(outputDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: CheckpointOnDisk[] = [];
  for (const e of entries) {
    const m = /^checkpoint-(\d+)$/.exec(e.name);
    if (!m || !e.isDirectory()) continue;
    const dir = path.join(outputDir, e.name);
    if (fs.existsSync(path.join(dir, 'trainer_state.json'))) out.push({ step: Number(m[1]), dir });
  }
  return out.sort((a, b) => a.step - b.step);
}

/** Total bytes of the files in a folder (one level: adapters and checkpoints are flat). */
export async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  try {
    for (const e of await fs.promises.readdir(dir, { withFileTypes: true })) {
      if (e.isFile()) total += (await fs.promises.stat(path.join(dir, e.name))).size;
    }
  } catch {
    return 0;
  }
  return total;
}

export function hasAdapter(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'adapter_model.safetensors')) && fs.existsSync(path.join(dir, 'adapter_config.json'));
}

/** Atomic write: temporary name in the same folder, then rename. */
export async function writeFileAtomic(file: string, text: string | Buffer): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, text);
  await fs.promises.rename(tmp, file);
}
