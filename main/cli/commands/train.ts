// `lathe train CONFIG.yaml`: the same run machinery as the app (a run row, its folder, the engine child), in the
// foreground. Tokenizes as needed, prints a progress bar with loss and ETA (or JSON lines with --json), writes the
// adapter, and leaves the run listed in the app. Ctrl-C stops with a final checkpoint (resumable).
import fs from 'node:fs';
import path from 'node:path';
import { LatheError } from '../../../preload/contract/errors.js';
import { ProjectsStore } from '../../db/projects-store.js';
import type { StoredRun } from '../../db/runs-store.js';
import { detectGpus } from '../../engine/gpu-info.js';
import { EventHub } from '../../ipc/event-hub.js';
import { runDefaults } from '../../runs/run-defaults.js';
import { RunsService } from '../../runs/runs-service.js';
import { resolveConfigPaths, runConfigFromYaml } from '../../runs/run-yaml.js';
import type { RunListener } from '../../runs/run-manager.js';
import type { CliCommand, CliContext } from '../cli-command.js';
import { parseFlags } from '../parse-flags.js';

const USAGE = `lathe train CONFIG.yaml [--project NAME] [--name NAME]
  CONFIG.yaml uses LLaMA-Factory's keys: model_name_or_path, dataset (a workspace dataset name or a data file),
  template, finetuning_type, lora_rank, lora_alpha, lora_dropout, lora_target, learning_rate, num_train_epochs,
  max_steps, per_device_train_batch_size, gradient_accumulation_steps, cutoff_len, lr_scheduler_type,
  warmup_ratio, save_steps, eval_steps, val_size, seed, output_dir, …
  --json prints one JSON object per line: ready, step, eval, checkpoint, done, error.`;

export const DEFAULT_CLI_PROJECT = 'Default';


export function cliRunsService(ctx: CliContext): RunsService {
  return new RunsService({ workspace: ctx.workspace(), events: new EventHub(), transport: 'web' }, { autoStart: false });
}

function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

/** Streams one run to the terminal until it ends; the exit code says how it ended. */
export async function followRun(ctx: CliContext, service: RunsService, runId: number, start: (signal: AbortSignal) => Promise<StoredRun | null>): Promise<number> {
  const t0 = Date.now();
  let firstStep: { step: number; at: number } | null = null;
  let lastPrinted = 0;
  const listener: RunListener = (e) => {
    const f = e as Record<string, unknown>;
    switch (e.event) {
      case 'ready':
        ctx.out.line({ type: 'ready', run_id: runId, total_steps: f.total_steps, start_step: f.start_step, backend: f.backend, train_records: f.train_records, eval_records: f.eval_records }, `run ${runId}: training on ${String(f.backend)} — ${String(f.total_steps)} steps from step ${String(f.start_step)}`);
        break;
      case 'step': {
        const step = Number(f.step);
        const total = Number(f.total_steps);
        if (!firstStep) firstStep = { step: step - 1, at: Date.now() };
        const rate = (Date.now() - firstStep.at) / 1000 / Math.max(1, step - firstStep.step);
        const eta = rate * (total - step);
        const width = 24;
        const filled = Math.round((width * step) / Math.max(1, total));
        const human = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${step}/${total} loss ${Number(f.loss).toFixed(4)} lr ${Number(f.lr).toExponential(2)} ETA ${duration(eta)}`;
        const now = Date.now();
        if (ctx.json) ctx.out.line({ type: 'step', step, total_steps: total, epoch: f.epoch, loss: f.loss, lr: f.lr, grad_norm: f.grad_norm, tokens_per_s: f.tokens_per_s });
        else if (now - lastPrinted > 1000 || step === total) {
          lastPrinted = now;
          ctx.out.line(null, human);
        }
        break;
      }
      case 'eval':
        ctx.out.line({ type: 'eval', step: f.step, eval_loss: f.eval_loss }, `eval at step ${String(f.step)}: loss ${Number(f.eval_loss).toFixed(4)}`);
        break;
      case 'checkpoint':
        ctx.out.line({ type: 'checkpoint', step: f.step, path: f.path }, `checkpoint at step ${String(f.step)}: ${String(f.path)}`);
        break;
      case 'warning':
        ctx.out.info(`engine: ${String(f.message)}`);
        break;
      case 'log': {
        // People see what preparation and evaluation are doing; --json keeps stdout to the typed lines.
        const text = String(f.line).replace(/^\S+ /, '');
        if (/^(prepar|resuming|evaluation|\d+ training rows are new|adapter copied)/.test(text)) ctx.out.info(text);
        break;
      }
      default:
        break;
    }
  };
  const off = service.manager.on(runId, listener);
  try {
    const final = await start(ctx.signal);
    if (!final) throw new LatheError('not_found', `Run ${runId} was deleted while it ran.`);
    const dto = await service.get({ id: final.row.id });
    // A run stopped on request (here or from the app) ended as asked: interrupted, resumable, with its adapter.
    const stopped = dto.status === 'interrupted' && dto.error?.code === 'stopped';
    if (dto.status === 'completed' || stopped) {
      ctx.out.line(
        { type: 'done', run_id: runId, status: dto.status, step: dto.step, max_steps: dto.maxSteps, adapter_dir: dto.adapterDir, output_dir: dto.config.outputDir ?? null, scores: dto.scores, seconds: (Date.now() - t0) / 1000 },
        `run ${runId} ${stopped || dto.step < (dto.maxSteps ?? 0) ? `stopped at step ${dto.step} (resume: lathe run resume ${runId})` : 'completed'}; adapter: ${dto.adapterDir ?? '(none)'}${dto.scores ? `\nBLEU-4 ${dto.scores.bleu4.toFixed(2)}  ROUGE-1 ${dto.scores.rouge1.toFixed(2)}  ROUGE-2 ${dto.scores.rouge2.toFixed(2)}  ROUGE-L ${dto.scores.rougeL.toFixed(2)}` : ''}`,
      );
      return 0;
    }
    const err = dto.error ?? { code: dto.status, message: `The run ended ${dto.status}.` };
    const hint = err.hint ?? (dto.resumable ? `Resume it: lathe run resume ${runId}` : '');
    if (ctx.json) ctx.out.line({ type: 'error', run_id: runId, status: dto.status, code: err.code, message: err.message, hint });
    else ctx.out.error(new LatheError('engine_error', `run ${runId} ${dto.status}: ${err.message}${hint ? `\n${hint}` : ''}`));
    return 1;
  } finally {
    off();
  }
}

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'Train a LoRA adapter from a YAML configuration (LLaMA-Factory keys)',
  usage: USAGE,
  async run(ctx, args) {
    try {
      return await train(ctx, args);
    } catch (err) {
      if (!ctx.json) throw err;
      // The stream's own error line (issue: every --json line has a `type`), which also carries the CLI's
      // usual `error` object so generic callers read it the same way.
      const e = LatheError.from(err);
      const hint = e.code === 'bad_input' || e.code === 'invalid_request' ? 'Fix the configuration and run again.' : '';
      ctx.out.line({ type: 'error', code: e.code, message: e.message, hint, error: { code: e.code, message: e.message } });
      ctx.out.info(`lathe: ${e.message}`);
      return e.code === 'invalid_request' ? 2 : 1;
    }
  },
};

async function train(ctx: CliContext, args: string[]): Promise<number> {
  {
    const { positionals, values } = parseFlags('train', args, { project: { type: 'string' }, name: { type: 'string' } });
    if (positionals.length !== 1) throw new LatheError('invalid_request', `Usage: ${USAGE}`);
    const file = path.resolve(positionals[0]!);
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch {
      throw new LatheError('not_found', `Cannot read ${file}.`, { file });
    }
    const parsed = runConfigFromYaml(text, file);
    for (const w of parsed.warnings) ctx.out.info(`note: ${w.message}`);
    // Paths in a YAML are relative to the current folder, as in LLaMA-Factory.
    const config = resolveConfigPaths(parsed.config, process.cwd());
    const projects = new ProjectsStore(ctx.workspace().db);
    const project = values.project ? (projects.findByName(values.project) ?? projects.create(values.project)) : projects.ensure(DEFAULT_CLI_PROJECT);
    const pre = await runDefaults({ config, gpus: await detectGpus() }).catch(() => null);
    for (const w of pre?.warnings ?? []) ctx.out.info(`warning: ${w.message}`);
    if (pre?.device === 'cpu' && config.device !== 'cpu') ctx.out.info('note: no NVIDIA GPU found; the engine will use the CPU.');
    const service = cliRunsService(ctx);
    try {
      const run = await service.createOwned({ projectId: project.id, name: values.name ?? parsed.name ?? undefined, config, start: true });
      ctx.out.info(`run ${run.id} “${run.name}” in project “${project.name}”: ${run.folder}`);
      return await followRun(ctx, service, run.id, (signal) => service.manager.runToEnd(run.id, signal));
    } finally {
      service.dispose();
    }
  }
}
