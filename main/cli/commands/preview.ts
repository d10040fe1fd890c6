// `lathe preview DATASET --model DIR`: each record as the model will see it (trained vs masked spans, ids,
// labels) and dataset-wide length statistics.
import { existsSync } from 'node:fs';
import { LatheError } from '../../../preload/contract/errors.js';
import type { PreviewResultDto } from '../../../preload/contract/preview.js';
import { defaultModelPath } from '../../models/default-model.js';
import { PreviewService, previewDepsFor } from '../../preview/preview-service.js';
import type { CliCommand } from '../cli-command.js';
import { intFlag, parseFlags } from '../parse-flags.js';

const USAGE = `lathe preview DATASET [--split train|validation] [--model DIR] [--template T] [--rows N] [--offset N] [--cutoff N]
              [--train-on-prompt] [--mask-history] [--no-thinking] [--batch N] [--grad-accum N]
  DATASET is a JSON/JSONL file (alpaca, sharegpt, messages, text or Lathe records) or a stored dataset's id. --model defaults to the demo model.
  Trained text is shown between ⟦ ⟧.`;

/** Shared by preview and tokenize: the encoding flags. */
export const ENCODE_FLAGS = {
  model: { type: 'string' },
  template: { type: 'string' },
  cutoff: { type: 'string' },
  'train-on-prompt': { type: 'boolean' },
  'mask-history': { type: 'boolean' },
  'no-thinking': { type: 'boolean' },
  split: { type: 'string' },
} as const;

/** DATASET on the command line: a JSON/JSONL file, else the id of a dataset stored in the workspace. */
export function datasetSource(arg: string, split: string | undefined): { datasetFile: string } | { datasetId: number; split?: 'train' | 'validation' } {
  if (split !== undefined && split !== 'train' && split !== 'validation') throw new LatheError('invalid_request', '--split is train or validation.');
  if (existsSync(arg)) return { datasetFile: arg };
  if (/^\d+$/.test(arg)) return { datasetId: Number(arg), ...(split ? { split } : {}) };
  throw new LatheError('not_found', `No dataset file ${arg} (or give a stored dataset's id).`);
}

export function encodeOptionsFrom(values: { cutoff?: string | undefined; 'train-on-prompt'?: boolean | undefined; 'mask-history'?: boolean | undefined; 'no-thinking'?: boolean | undefined }) {
  return {
    cutoffLen: intFlag('cutoff', values.cutoff, 2048, 1, 1_048_576),
    trainOnPrompt: values['train-on-prompt'] ?? false,
    maskHistory: values['mask-history'] ?? false,
    enableThinking: !(values['no-thinking'] ?? false),
  };
}

function human(r: PreviewResultDto): string {
  const out: string[] = [`template: ${r.template}`, ...r.warnings.map((w) => `warning: ${w.message}`)];
  for (const rec of r.records) {
    out.push('', `── record ${rec.index} ${rec.ok ? `(${rec.tokenCount} tokens, ${rec.trainableCount} trained${rec.truncated ? `, truncated from ${rec.fullLength}` : ''})` : `skipped: ${rec.reason}`}`);
    if (rec.ok) out.push(rec.segments.map((s) => (s.trained ? `⟦${s.text}⟧` : s.text)).join(''));
  }
  const s = r.stats;
  out.push(
    '',
    `records ${s.records} (${s.skipped} skipped), tokens ${s.totalTokens} (${s.trainableTokens} trained), truncated at ${s.cutoffLen}: ${(100 * s.truncatedShare).toFixed(1)}%`,
    `length mean ${s.meanLength.toFixed(1)}, p50 ${s.p50Length}, p95 ${s.p95Length}, max ${s.maxLength}; steps per epoch ${s.stepsPerEpoch} (batch ${s.batchSize} × accumulation ${s.gradientAccumulation})`,
    ...(s.longest.length ? [`longest before the cutoff: ${s.longest.slice(0, 3).map((l) => `record ${l.index} (${l.fullLength} tokens)`).join(', ')}`] : []),
    // Lengths before the cutoff; the last bin also holds every longer record.
    ...s.histogram.counts.map((c, i) => `  ${String(s.histogram.edges[i]! + 1).padStart(6)}–${i === s.histogram.counts.length - 1 && s.histogram.edges[i]! >= s.cutoffLen ? '…'.padEnd(6) : String(s.histogram.edges[i + 1]).padEnd(6)} ${'█'.repeat(Math.ceil((40 * c) / Math.max(1, s.records)))} ${c}`),
  );
  return out.join('\n');
}

export const previewCommand: CliCommand = {
  name: 'preview',
  summary: 'Show what the model will see: rendered records, trained vs masked tokens, length statistics',
  usage: USAGE,
  async run(ctx, args) {
    const { values, positionals } = parseFlags('preview', args, {
      ...ENCODE_FLAGS,
      rows: { type: 'string' },
      offset: { type: 'string' },
      batch: { type: 'string' },
      'grad-accum': { type: 'string' },
    });
    if (positionals.length !== 1) throw new LatheError('invalid_request', USAGE);
    const svc = new PreviewService(previewDepsFor(ctx.workspace()));
    const res = await svc.dataset({
      modelPath: values.model ?? defaultModelPath(),
      ...(values.template ? { template: values.template } : {}),
      ...datasetSource(positionals[0]!, values.split),
      rows: intFlag('rows', values.rows, 10, 0, 1000),
      offset: intFlag('offset', values.offset, 0, 0),
      batchSize: intFlag('batch', values.batch, 1, 1, 4096),
      gradientAccumulation: intFlag('grad-accum', values['grad-accum'], 1, 1, 4096),
      options: encodeOptionsFrom(values),
    });
    ctx.out.result(
      {
        template: res.template,
        warnings: res.warnings,
        records: res.records.map((r) => ({
          index: r.index,
          ...(r.ok ? {} : { skipped: r.reason }),
          text: r.text,
          segments: r.segments.map((s) => ({ text: s.text, trained: s.trained })),
          input_ids: r.input_ids,
          labels: r.labels,
          truncated: r.truncated,
        })),
        stats: res.stats,
      },
      () => human(res),
    );
  },
};
