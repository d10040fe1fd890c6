// `lathe tokenize DATASET --model DIR --out FILE`: the whole dataset to one .ltok file for the engine
// (native/docs/tokenized-dataset.md), with worker threads, progress on stderr and a content-hash cache.
import { LatheError } from '../../../preload/contract/errors.js';
import { defaultModelPath } from '../../models/default-model.js';
import { PreviewService, previewDepsFor } from '../../preview/preview-service.js';
import type { CliCommand } from '../cli-command.js';
import { intFlag, parseFlags } from '../parse-flags.js';
import { datasetSource, ENCODE_FLAGS, encodeOptionsFrom } from './preview.js';

const USAGE = `lathe tokenize DATASET --out FILE [--split train|validation] [--model DIR] [--template T] [--cutoff N] [--workers N] [--no-cache]
              [--train-on-prompt] [--mask-history] [--no-thinking]`;

export const tokenizeCommand: CliCommand = {
  name: 'tokenize',
  summary: 'Tokenize a dataset file into the engine’s .ltok format',
  usage: USAGE,
  async run(ctx, args) {
    const { values, positionals } = parseFlags('tokenize', args, { ...ENCODE_FLAGS, out: { type: 'string' }, workers: { type: 'string' }, 'no-cache': { type: 'boolean' } });
    if (positionals.length !== 1 || !values.out) throw new LatheError('invalid_request', USAGE);
    let lastPct = -1;
    const deps = previewDepsFor(ctx.workspace());
    const svc = new PreviewService({
      ...deps,
      cacheDir: values['no-cache'] ? undefined : deps.cacheDir,
      onTokenizeProgress: ({ done, total }) => {
        const pct = total === 0 ? 100 : Math.floor((100 * done) / total);
        if (pct !== lastPct) {
          lastPct = pct;
          process.stderr.write(`\rtokenizing ${done}/${total} (${pct}%)${done === total ? '\n' : ''}`);
        }
      },
    });
    const res = await svc.tokenize({
      modelPath: values.model ?? defaultModelPath(),
      ...(values.template ? { template: values.template } : {}),
      ...datasetSource(positionals[0]!, values.split),
      outFile: values.out,
      jobId: 'cli',
      ...(values.workers !== undefined ? { workers: intFlag('workers', values.workers, 0, 0, 64) } : {}),
      options: encodeOptionsFrom(values),
    });
    ctx.out.result(res, (r) =>
      [
        `${r.cached ? 'Copied cached' : 'Wrote'} ${r.outFile}: ${r.records} records, ${r.tokens} tokens (${r.trainableTokens} trained), ${r.bytes} bytes in ${r.seconds.toFixed(2)} s, template ${r.template}.`,
        ...(r.skipped.length ? [`Skipped ${r.skipped.length} records, e.g. #${r.skipped[0]!.index}: ${r.skipped[0]!.reason}`] : []),
      ].join('\n'),
    );
  },
};
