// `lathe model inspect DIR`: the model card (shape, parameters, dtype, template proposal, VRAM estimates).
import { LatheError } from '../../../preload/contract/errors.js';
import type { ModelCardDto } from '../../../preload/contract/models.js';
import { defaultModelPath } from '../../models/default-model.js';
import { ModelsService } from '../../models/models-service.js';
import type { CliCommand } from '../cli-command.js';
import { intFlag, parseFlags } from '../parse-flags.js';
import { LIBRARY_SUBCOMMANDS, LIBRARY_USAGE, runModelLibrary } from './model-library.js';

const USAGE = `lathe model inspect [DIR] [--seq-len N] [--batch N] [--rank N] [--no-checkpointing]
  DIR defaults to the embedded demo model.
${LIBRARY_USAGE}`;

const GiB = 1024 ** 3;

function human(c: ModelCardDto): string {
  const lines = [
    `${c.name}  (${c.architecture}, ${c.kind}: ${c.kindReason.message})`,
    `  layers ${c.layers}, hidden ${c.hiddenSize}, intermediate ${c.intermediateSize}, heads ${c.heads}/${c.kvHeads} KV, head dim ${c.headDim}`,
    `  vocab ${c.vocabSize}, context ${c.contextLength}, parameters ${c.parameters.toLocaleString('en')}, dtype ${c.dtype}`,
    `  chat template: ${c.hasChatTemplate ? 'yes' : 'no'}; proposed template: ${c.proposedTemplate}`,
    ...c.vram.map((v) => `  VRAM ${v.method.toUpperCase()} (seq ${v.seqLen} × batch ${v.batchSize}, r=${v.loraRank}): ${(v.totalBytes / GiB).toFixed(2)} GiB`),
    ...c.warnings.map((w) => `  warning: ${w.message}`),
  ];
  return lines.join('\n');
}

export const modelCommand: CliCommand = {
  name: 'model',
  summary: 'Inspect a model folder; pull, list and remove models in the library',
  usage: USAGE,
  async run(ctx, args) {
    const [sub, ...rest] = args;
    if (sub !== undefined && LIBRARY_SUBCOMMANDS.includes(sub)) return runModelLibrary(ctx, sub, rest);
    if (sub !== 'inspect') throw new LatheError('invalid_request', `Unknown model command “${sub ?? ''}”.\n${USAGE}`);
    const { values, positionals } = parseFlags('model inspect', rest, {
      'seq-len': { type: 'string' },
      batch: { type: 'string' },
      rank: { type: 'string' },
      'no-checkpointing': { type: 'boolean' },
    });
    if (positionals.length > 1) throw new LatheError('invalid_request', USAGE);
    const card = await new ModelsService().inspect({
      path: positionals[0] ?? defaultModelPath(),
      seqLen: intFlag('seq-len', values['seq-len'], 1024, 1),
      batchSize: intFlag('batch', values.batch, 1, 1),
      loraRank: intFlag('rank', values.rank, 16, 1),
      gradientCheckpointing: !values['no-checkpointing'],
    });
    ctx.out.result(card, human);
  },
};
