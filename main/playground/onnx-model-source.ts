// Finds the ONNX decoder for a pane: a `.onnx` file, a folder holding `model.onnx` (or `onnx/model.onnx`), or —
// for a plain Hugging Face folder (+ adapter) — the export cached in the workspace under cache/onnx/<key>/, made
// on first use by the exporter it is given. Does not export by itself nor run the model.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';

export interface OnnxModel {
  readonly file: string;
  readonly configJson: string;
  /** True when the export was made (not found) this time. */
  readonly exported: boolean;
}

/** Writes `<outDir>/model.onnx` (+ config.json) for a model folder with the adapter merged in. */
export type OnnxExporter = (o: { readonly modelDir: string; readonly adapterDir?: string | undefined; readonly outDir: string; readonly signal?: AbortSignal }) => Promise<void>;

function statKey(p: string): string {
  try {
    const entries = fs.statSync(p).isDirectory() ? fs.readdirSync(p).filter((f) => /\.(safetensors|json)$/.test(f)) : [''];
    return entries
      .sort()
      .map((f) => {
        const s = fs.statSync(path.join(p, f));
        return `${f}:${s.size}:${s.mtimeMs}`;
      })
      .join('|');
  } catch {
    return 'missing';
  }
}

/** The cache folder of a model + adapter: changes when their weights or configs change. */
export function onnxCacheDir(cacheRoot: string, modelDir: string, adapterDir: string | undefined): string {
  const h = createHash('sha256')
    .update(JSON.stringify([path.resolve(modelDir), statKey(modelDir), adapterDir ? path.resolve(adapterDir) : null, adapterDir ? statKey(adapterDir) : null]))
    .digest('hex')
    .slice(0, 20);
  return path.join(cacheRoot, 'onnx', h);
}

function configBeside(file: string): string {
  for (const dir of [path.dirname(file), path.dirname(path.dirname(file))]) {
    const c = path.join(dir, 'config.json');
    if (fs.existsSync(c)) return c;
  }
  throw new LatheError('bad_input', `No config.json beside ${file}: the ONNX export needs the model's config.json next to it.`, { file });
}

/** An exported ONNX model already in `target`, or null. */
export function findOnnxFile(target: string): string | null {
  if (target.endsWith('.onnx')) return fs.existsSync(target) ? target : null;
  for (const rel of ['model.onnx', path.join('onnx', 'model.onnx'), path.join('onnx', 'decoder_model_merged.onnx')]) {
    const f = path.join(target, rel);
    if (fs.existsSync(f)) return f;
  }
  return null;
}

export async function resolveOnnxModel(o: {
  readonly model: string;
  readonly adapter?: string | undefined;
  readonly cacheRoot: string;
  readonly exporter: OnnxExporter | null;
  readonly signal?: AbortSignal;
}): Promise<OnnxModel> {
  const direct = o.adapter ? null : findOnnxFile(o.model);
  if (direct) return { file: direct, configJson: configBeside(direct), exported: false };
  if (!fs.existsSync(o.model)) throw new LatheError('not_found', `Model folder ${o.model} does not exist.`, { path: o.model });
  if (!fs.existsSync(path.join(o.model, 'config.json'))) throw new LatheError('bad_input', `${o.model} is neither an ONNX export nor a Hugging Face model folder (no config.json).`, { path: o.model });
  const dir = onnxCacheDir(o.cacheRoot, o.model, o.adapter);
  const cached = findOnnxFile(dir);
  if (cached) return { file: cached, configJson: configBeside(cached), exported: false };
  if (!o.exporter) {
    throw new LatheError('unsupported', 'This build cannot export to ONNX yet, so the onnx engine needs an exported folder (model.onnx + config.json). Use the native engine, or export the model to ONNX first.');
  }
  const partial = `${dir}.partial-${process.pid}`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  try {
    await o.exporter({ modelDir: o.model, adapterDir: o.adapter, outDir: partial, ...(o.signal ? { signal: o.signal } : {}) });
    if (!fs.existsSync(path.join(partial, 'config.json'))) fs.copyFileSync(path.join(o.model, 'config.json'), path.join(partial, 'config.json'));
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.renameSync(partial, dir);
  } catch (e) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw e;
  }
  const file = findOnnxFile(dir);
  if (!file) throw new LatheError('internal', `The ONNX export wrote no model.onnx in ${dir}.`);
  return { file, configJson: configBeside(file), exported: true };
}
