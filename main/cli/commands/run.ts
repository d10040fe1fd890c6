// `lathe run list|show|stop|pause|resume|delete|logs|prune|retrain`: the runs the app shows, from the command line.
// `resume` continues in the foreground and streams the same lines as `lathe train`.
import { parse } from 'yaml';
import { LatheError } from '../../../preload/contract/errors.js';
import type { RunDetailDto, RunDto } from '../../../preload/contract/runs.js';
import { ProjectsStore } from '../../db/projects-store.js';
import { runConfigToYaml } from '../../runs/run-yaml.js';
import type { CliCommand } from '../cli-command.js';
import { intFlag, parseFlags } from '../parse-flags.js';
import { findProject } from './project.js';
import { cliRunsService, followRun } from './train.js';

const USAGE = `lathe run list [--project NAME]
lathe run show ID
lathe run stop ID | pause ID | resume ID | delete ID
lathe run logs ID [--tail BYTES]
lathe run prune ID --keep N          keep the newest N checkpoints
lathe run retrain ID [--scratch]     a new run on the datasets' current rows, from this run's adapter`;

/** The list row: snake_case, as the rest of the CLI's JSON. */
function summary(r: RunDto) {
  return {
    id: r.id,
    name: r.name,
    project_id: r.projectId,
    status: r.status,
    step: r.step,
    max_steps: r.maxSteps,
    last_loss: r.lastLoss,
    last_eval_loss: r.lastEvalLoss,
    scores: r.scores,
    error: r.error,
    resumable: r.resumable,
    parent_run_id: r.parentRunId,
    folder: r.folder,
    adapter_dir: r.adapterDir,
    created_at: r.createdAt,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
  };
}

function line(r: RunDto): string {
  const loss = r.lastLoss === null ? '' : `  loss ${r.lastLoss.toFixed(4)}`;
  return `${String(r.id).padStart(4)}  ${r.status.padEnd(11)} ${String(r.step).padStart(6)}/${r.maxSteps ?? '?'}${loss}  ${r.name}`;
}

function runId(positionals: string[], sub: string): number {
  const id = positionals[0];
  if (positionals.length !== 1 || !id || !/^\d+$/.test(id)) throw new LatheError('invalid_request', `Usage: lathe run ${sub} ID`);
  return Number(id);
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'List, inspect, stop, pause, resume and delete training runs',
  usage: USAGE,
  async run(ctx, args) {
    const [sub, ...rest] = args;
    const { positionals, values } = parseFlags(`run ${sub ?? ''}`.trim(), rest, { project: { type: 'string' }, tail: { type: 'string' }, keep: { type: 'string' }, scratch: { type: 'boolean' } });
    const service = cliRunsService(ctx);
    try {
      switch (sub) {
        case 'list': {
          const projectId = values.project ? findProject(new ProjectsStore(ctx.workspace().db), values.project).id : undefined;
          const runs = await service.list(projectId === undefined ? {} : { projectId });
          ctx.out.result({ runs: runs.map(summary) }, () => (runs.length ? runs.map(line).join('\n') : 'No runs yet: lathe train CONFIG.yaml'));
          return;
        }
        case 'show': {
          const id = runId(positionals, sub);
          const run: RunDetailDto = await service.get({ id });
          const metrics = await service.metrics({ id });
          const artifacts = await service.artifacts({ id });
          const yaml = runConfigToYaml(run.config, run.name);
          const value = {
            run: {
              ...summary(run),
              config: parse(yaml) as Record<string, unknown>,
              metrics: metrics.map((m) => ({ kind: m.kind, step: m.step, epoch: m.epoch, loss: m.loss, lr: m.lr, grad_norm: m.gradNorm, tokens_per_s: m.tokensPerS, memory_mb: m.memoryMb, at: m.at })),
              artifacts: artifacts.map((a) => ({ id: a.id, kind: a.kind, path: a.path, bytes: a.bytes, step: a.step, created_at: a.createdAt })),
            },
          };
          ctx.out.result(value, () =>
            [
              line(run),
              run.error ? `error: ${run.error.message}${run.error.hint ? ` (${run.error.hint})` : ''}` : '',
              run.scores ? `BLEU-4 ${run.scores.bleu4.toFixed(2)}  ROUGE-1 ${run.scores.rouge1.toFixed(2)}  ROUGE-2 ${run.scores.rouge2.toFixed(2)}  ROUGE-L ${run.scores.rougeL.toFixed(2)}` : '',
              `folder: ${run.folder}`,
              ...artifacts.map((a) => `  ${a.kind.padEnd(10)} ${String(a.bytes).padStart(10)} B  ${a.path}`),
              '',
              yaml.trimEnd(),
            ]
              .filter((s) => s !== '')
              .join('\n'),
          );
          return;
        }
        case 'stop':
        case 'pause':
        case 'delete': {
          const id = runId(positionals, sub);
          if (sub === 'delete') {
            await service.delete({ id });
            ctx.out.result({ deleted: { id } }, () => `Deleted run ${id}.`);
            return;
          }
          const run = sub === 'stop' ? await service.stop({ id }) : await service.pause({ id });
          ctx.out.result({ run: summary(run) }, () => `Run ${id}: ${run.status}${sub === 'stop' ? ' (a final checkpoint is written before it ends)' : ''}.`);
          return;
        }
        case 'resume': {
          const id = runId(positionals, sub);
          const before = service.manager.store.get(id);
          if (before.row.status === 'paused') {
            const run = await service.resume({ id });
            ctx.out.result({ run: summary(run) }, () => `Run ${id}: resumed.`);
            return;
          }
          await service.manager.resume(id, { owned: true });
          ctx.out.info(`run ${id}: resuming from its newest checkpoint`);
          return await followRun(ctx, service, id, (signal) => service.manager.runToEnd(id, signal));
        }
        case 'logs': {
          const id = runId(positionals, sub);
          const logs = await service.logs({ id, tailBytes: intFlag('tail', values.tail, 64 * 1024, 1, 16 * 1024 * 1024) });
          ctx.out.result(logs, (v) => v.text.trimEnd());
          return;
        }
        case 'prune': {
          const id = runId(positionals, sub);
          if (values.keep === undefined) throw new LatheError('invalid_request', 'Usage: lathe run prune ID --keep N');
          const artifacts = await service.pruneCheckpoints({ id, keepLast: intFlag('keep', values.keep, 0, 0, 1000) });
          ctx.out.result({ artifacts }, (v) => v.artifacts.map((a) => `${a.kind.padEnd(10)} ${a.path}`).join('\n'));
          return;
        }
        case 'retrain': {
          const id = runId(positionals, sub);
          const run = await service.retrain({ id, fromAdapter: !values.scratch, start: true });
          ctx.out.info(`run ${run.id} “${run.name}”: retraining run ${id}${values.scratch ? ' from scratch' : ' from its adapter'}`);
          return await followRun(ctx, service, run.id, (signal) => service.manager.runToEnd(run.id, signal));
        }
        default:
          throw new LatheError('invalid_request', `Unknown run command “${sub ?? ''}”.\n${USAGE}`);
      }
    } finally {
      service.dispose();
    }
  },
};
