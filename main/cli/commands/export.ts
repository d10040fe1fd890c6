// `lathe export RUN|ADAPTER_DIR --format peft|merged|gguf|ollama|onnx …`: the same export and verification as the
// app's Export page, from the command line. Prints {format, out, files, verification}; exit 1 if a check failed.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ExportDtype, ExportFormat, ExportQuant, StartExportRequest, type ExportResultDto } from '../../../preload/contract/exports.js';
import { LatheError } from '../../../preload/contract/errors.js';
import { ExportsStore } from '../../db/exports-store.js';
import { RunsStore } from '../../db/runs-store.js';
import { resolveExport } from '../../export/export-inputs.js';
import { runExport } from '../../export/export-runner.js';
import { verifyExport } from '../../export/verify-export.js';
import type { CliCommand } from '../cli-command.js';
import { parseFlags } from '../parse-flags.js';

const USAGE = `lathe export RUN|ADAPTER_DIR --format peft|merged|gguf|ollama|onnx [--out DIR]
  [--dtype bf16|f16|f32]            merged: weight dtype (default bf16); onnx: weight storage (default f32)
  [--quant f16|bf16|f32|q8_0|q4_0|q4_k_m]   gguf/ollama: tensor type (default q8_0)
  [--shard-size 5GB]                merged: largest safetensors shard
  [--base DIR]                      the base model folder (default: the run's, or adapter_config.json's)
  [--template NAME]                 the training template (default: the run's)
  [--no-verify]                     skip the checks after writing`;

function pick<T extends string>(schema: { options: readonly T[] }, flag: string, value: string | undefined): T | undefined {
  if (value === undefined) return undefined;
  if (!(schema.options as readonly string[]).includes(value)) throw new LatheError('invalid_request', `--${flag} must be one of ${schema.options.join(', ')}, not “${value}”.`);
  return value as T;
}

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'Export a run or adapter: PEFT, merged model, GGUF, Ollama or ONNX, verified',
  usage: USAGE,
  async run(ctx, args) {
    const { values, positionals } = parseFlags('export', args, {
      format: { type: 'string' },
      out: { type: 'string' },
      dtype: { type: 'string' },
      quant: { type: 'string' },
      'shard-size': { type: 'string' },
      base: { type: 'string' },
      template: { type: 'string' },
      'no-verify': { type: 'boolean' },
    });
    if (positionals.length !== 1 || !values.format) throw new LatheError('invalid_request', `Usage:\n${USAGE}`);
    const target = positionals[0]!;
    const isDir = existsSync(target) && statSync(target).isDirectory();
    let runId: number | undefined;
    if (!isDir) {
      const runs = new RunsStore(ctx.workspace().db);
      const byName = runs.list().find((r) => r.row.name === target);
      runId = byName?.row.id ?? (/^\d+$/.test(target) ? Number(target) : undefined);
      if (runId === undefined) throw new LatheError('not_found', `“${target}” is neither an adapter folder nor a run. See: lathe run list`);
    }
    const parsed = StartExportRequest.safeParse({
      ...(runId !== undefined ? { runId } : { adapterDir: path.resolve(target) }),
      format: pick(ExportFormat, 'format', values.format),
      dtype: pick(ExportDtype, 'dtype', values.dtype),
      quant: pick(ExportQuant, 'quant', values.quant),
      shardSize: values['shard-size'],
      baseModel: values.base,
      template: values.template,
      out: values.out,
    });
    if (!parsed.success) throw new LatheError('invalid_request', parsed.error.issues[0]?.message ?? 'Invalid export options.');
    const workspace = runId !== undefined || !values.out ? ctx.workspace() : null;
    const { spec, projectId } = resolveExport(parsed.data, workspace);
    let last = -1;
    const result = await runExport(spec, {
      signal: ctx.signal,
      onProgress: (p) => {
        const pct = Math.floor(p.fraction * 100);
        if (pct >= last + 5 || p.fraction === 1) {
          last = pct;
          ctx.out.info(`${String(pct).padStart(3)}%  ${p.message}`);
        }
      },
    });
    if (!values['no-verify']) ctx.out.info('Verifying…');
    const verification = values['no-verify'] ? [] : await verifyExport(result, spec);
    if (projectId !== null && workspace) {
      new ExportsStore(workspace.db, workspace.paths.home).add({
        projectId, runId: runId ?? null, format: spec.format, out: result.out, bytes: result.files.reduce((a, f) => a + f.bytes, 0), verification,
        options: { dtype: spec.dtype, quant: spec.quant, base: spec.baseDir, adapter: spec.adapterDir },
      });
    }
    const out: ExportResultDto = { format: result.format, out: result.out, files: result.files, verification };
    ctx.out.result(out, (v) =>
      [
        `Exported ${v.format} to ${v.out}`,
        ...v.files.map((f) => `  ${f.path}  ${(f.bytes / 2 ** 20).toFixed(1)} MiB`),
        ...v.verification.map((c) => `${c.skipped ? 'SKIP' : c.passed ? 'PASS' : 'FAIL'}  ${c.check}: ${c.detail}`),
      ].join('\n'),
    );
    return verification.some((c) => !c.passed && !c.skipped) ? 1 : 0;
  },
};
