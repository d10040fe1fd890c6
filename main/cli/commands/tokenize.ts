// `lathe tokenize DATASET --model DIR --out FILE`: the whole dataset to one .ltok file for the engine
// (native/docs/tokenized-dataset.md), with worker threads, progress on stderr and a content-hash cache.
import { join } from 'node:path';
import { LatheError } from '../../../preload/contract/errors.js';
import { TemplatesStore } from '../../db/templates-store.js';
import { defaultModelPath } from '../../models/default-model.js';
import { PreviewService } from '../../preview/preview-service.js';
import type { CliCommand } from '../cli-command.js';
import { intFlag, parseFlags } from '../parse-flags.js';
import { ENCODE_FLAGS, encodeOptionsFrom } from './preview.js';

const USAGE = `lathe tokenize DATASET --out FILE [--model DIR] [--template T] [--cutoff N] [--workers N] [--no-cache]
              [--train-on-prompt] [--mask-history] [--no-thinking]`;

export const tokenizeCommand: CliCommand = {
  name: 'tokenize',
  summary: 'Tokenize a dataset file into the engine’s .ltok format',
  usage: USAGE,
  async run(ctx, args) {
    const { values, positionals } = parseFlags('tokenize', args, { ...ENCODE_FLAGS, out: { type: 'string' }, workers: { type: 'string' }, 'no-cache': { type: 'boolean' } });
    if (positionals.length !== 1 || !values.out) throw new LatheError('invalid_request', USAGE);
    const ws = ctx.workspace();
    const store = new TemplatesStore(ws.db);
    let lastPct = -1;
    const svc = new PreviewService({
      userTemplates: () => store.list(),
      cacheDir: values['no-cache'] ? undefined : join(ws.paths.cache, 'ltok'),
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
      datasetFile: positionals[0]!,
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
