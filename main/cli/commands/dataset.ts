// `lathe dataset inspect|import|import-llamafactory|list|show|export`: the datasets domain from the command line,
// through the same service as the app (imports run inline here: the CLI's thread blocks no UI).
import path from 'node:path';
import type { DatasetDto, FieldSource, ImportResult, Mapping, RoleTags, TargetField } from '../../../preload/contract/datasets.js';
import { RoleTags as RoleTagsSchema, TargetField as TargetFieldSchema } from '../../../preload/contract/datasets.js';
import { LatheError } from '../../../preload/contract/errors.js';
import { EventHub } from '../../ipc/event-hub.js';
import { ProjectsStore } from '../../db/projects-store.js';
import { DatasetsService } from '../../datasets/datasets-service.js';
import { templateColumns } from '../../datasets/field-template.js';
import { entryMapping } from '../../datasets/llamafactory-format.js';
import type { CliCommand, CliContext } from '../cli-command.js';
import { intFlag, parseFlags } from '../parse-flags.js';
import { findProject } from './project.js';

const USAGE = `lathe dataset inspect FILE [--sheet S] [--encoding E]
lathe dataset import FILE [--project P] [--name N] [--sheet S] [--encoding E] [--format auto|alpaca|sharegpt|openai]
                          [--map field=column ...] [--tag role=from ...] [--skip-bad] [--allow-duplicate]
lathe dataset validate FILE [--sheet S] [--encoding E] [--format …] [--map field=column ...]
lathe dataset import-llamafactory DIR [--project P]
lathe dataset list [--project P]
lathe dataset show NAME [--project P] [--rows N]
lathe dataset export NAME --format alpaca|sharegpt|openai --out FILE [--project P]
lathe dataset split NAME --val-ratio R [--seed S] [--project P]

Fields for --map: instruction, input, output, system, history, messages, tools, chosen, rejected, label, text.
--map input=备注 --map input=订单号 joins two columns with a newline; --map 'input=订单号: {订单号}\\n{备注}' uses a
template; --map input= removes a field. --tag sets how a messages column names things (LLaMA-Factory's tags):
role, content, user, assistant, system, observation, function — e.g. --tag role=speaker --tag user=customer.
The default project is “Default”.`;

const DEFAULT_PROJECT = 'Default';

export const datasetCommand: CliCommand = {
  name: 'dataset',
  summary: 'Import, inspect, list, show and export datasets',
  usage: USAGE,
  async run(ctx, args) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'inspect':
        return inspect(ctx, rest);
      case 'import':
        return importFile(ctx, rest);
      case 'validate':
        return validate(ctx, rest);
      case 'split':
        return split(ctx, rest);
      case 'import-llamafactory':
        return importFolder(ctx, rest);
      case 'list':
        return list(ctx, rest);
      case 'show':
        return show(ctx, rest);
      case 'export':
        return exportCmd(ctx, rest);
      default:
        throw new LatheError('invalid_request', `Unknown dataset command “${sub ?? ''}”.\n${USAGE}`);
    }
  },
};

function service(ctx: CliContext): DatasetsService {
  const hub = new EventHub();
  let last = 0;
  hub.subscribe((name, payload) => {
    if (name !== 'datasets.importProgress' || ctx.json) return;
    const p = payload as { bytesRead: number; totalBytes: number; rows: number };
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    const pct = p.totalBytes ? ` ${Math.round((100 * p.bytesRead) / p.totalBytes)}%` : '';
    ctx.out.info(`  …${pct} ${p.rows.toLocaleString('en')} rows`);
  });
  return new DatasetsService({ workspace: ctx.workspace(), events: hub, transport: 'electron' }, { useWorker: false });
}

function projectId(ctx: CliContext, name: string | undefined): number {
  const store = new ProjectsStore(ctx.workspace().db);
  return name ? findProject(store, name).id : store.ensure(DEFAULT_PROJECT).id;
}

/** Cancels the service's job when the CLI is interrupted (Ctrl-C). */
function cancelOnSignal(ctx: CliContext, svc: DatasetsService, jobId: string): () => void {
  const onAbort = () => void svc.cancel({ jobId });
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  return () => ctx.signal.removeEventListener('abort', onAbort);
}

function one(positionals: string[], what: string, cmd: string): string {
  if (positionals.length !== 1) throw new LatheError('invalid_request', `Usage: lathe dataset ${cmd} ${what}`);
  return positionals[0]!;
}

async function inspect(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parseFlags('dataset inspect', args, { sheet: { type: 'string' }, encoding: { type: 'string' } });
  const file = path.resolve(one(positionals, 'FILE', 'inspect'));
  const r = await service(ctx).inspect({ file, options: readerOptions(values) });
  ctx.out.result(r, (v) =>
    [
      `${path.basename(v.file)}: ${v.format}${v.encoding ? `, ${v.encoding} (${v.encodingReason})` : ''}${v.sheet ? `, sheet “${v.sheet}”` : ''}${v.headerRow ? `, header on row ${v.headerRow}` : ''}`,
      ...(v.sheets ? v.sheets.map((s) => `  sheet “${s.name}”: ${s.rows} rows${s.looksLikeTable ? '' : ' (not a table)'}`) : []),
      `columns: ${v.columns.join(' | ')}`,
      `suggested (${Math.round(v.suggestion.confidence * 100)}% sure): ${describeMapping(v.suggestion.mapping)}`,
    ].join('\n'),
  );
}

async function importFile(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parseFlags('dataset import', args, {
    project: { type: 'string' },
    name: { type: 'string' },
    sheet: { type: 'string' },
    encoding: { type: 'string' },
    format: { type: 'string', default: 'auto' },
    map: { type: 'string', multiple: true },
    tag: { type: 'string', multiple: true },
    'skip-bad': { type: 'boolean', default: false },
    'allow-duplicate': { type: 'boolean', default: false },
  });
  const file = path.resolve(one(positionals, 'FILE', 'import'));
  const format = checkFormat(values.format!);
  const svc = service(ctx);
  const pid = projectId(ctx, values.project);
  const options = readerOptions(values);
  const custom = format !== 'auto' || (values.map?.length ?? 0) > 0 || (values.tag?.length ?? 0) > 0;
  const mapping = custom ? applyTags(await resolveMapping(svc, file, options, format, values.map ?? []), values.tag ?? []) : undefined;
  const jobId = `cli-${process.pid}`;
  const off = cancelOnSignal(ctx, svc, jobId);
  let r: ImportResult;
  try {
    r = await svc.import({ projectId: pid, file, ...(values.name ? { name: values.name } : {}), options, ...(mapping ? { mapping } : {}), skipBad: values['skip-bad']!, allowDuplicate: values['allow-duplicate']!, jobId });
  } finally {
    off();
  }
  const out = {
    dataset: { id: r.dataset.id, name: r.dataset.name },
    rows: r.rows,
    skipped: r.skipped,
    encoding: r.encoding ?? null,
    sheet: r.sheet ?? null,
    headerRow: r.headerRow ?? null,
    mapping: flatMapping(r.mapping),
    problems: r.problems.map((p) => ({ row: p.row, column: p.column ?? null, message: p.message })),
  };
  ctx.out.result(out, (v) =>
    [
      `Imported ${v.rows.toLocaleString('en')} rows into “${v.dataset.name}” (id ${v.dataset.id})${v.skipped ? `, skipped ${v.skipped}` : ''}.`,
      `mapping: ${describeMapping(r.mapping)}`,
      ...v.problems.slice(0, 20).map((p) => `  row ${p.row}${p.column ? ` [${p.column}]` : ''}: ${p.message}`),
      ...(v.problems.length > 20 ? [`  … and ${v.problems.length - 20} more`] : []),
    ].join('\n'),
  );
}

function checkFormat(format: string): string {
  if (!['auto', 'alpaca', 'sharegpt', 'openai'].includes(format)) throw new LatheError('invalid_request', `--format must be auto, alpaca, sharegpt or openai, not “${format}”.`);
  return format;
}

/** The suggested mapping (or an explicit LLaMA-Factory format's), with --map overrides applied. */
async function resolveMapping(svc: DatasetsService, file: string, options: ReturnType<typeof readerOptions>, format: string, maps: readonly string[]): Promise<Mapping> {
  const inspection = await svc.inspect({ file, options });
  // An explicit format reads the file with LLaMA-Factory's default column names, plus system/tools/history when present.
  const extra = Object.fromEntries(['system', 'tools', 'history'].filter((c) => inspection.columns.includes(c)).map((c) => [c, c]));
  const base = format === 'auto' ? inspection.suggestion.mapping : entryMapping({ formatting: format as 'alpaca' | 'sharegpt' | 'openai', columns: extra }, inspection.columns);
  return applyOverrides(base, maps);
}

async function validate(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parseFlags('dataset validate', args, { sheet: { type: 'string' }, encoding: { type: 'string' }, format: { type: 'string', default: 'auto' }, map: { type: 'string', multiple: true } });
  const file = path.resolve(one(positionals, 'FILE', 'validate'));
  const svc = service(ctx);
  const options = readerOptions(values);
  const mapping = await resolveMapping(svc, file, options, checkFormat(values.format!), values.map ?? []);
  const report = await svc.validate({ file, options, mapping });
  ctx.out.result({ mapping: flatMapping(mapping), ...report }, (v) =>
    [
      `${v.validRows.toLocaleString('en')} of ${v.rows.toLocaleString('en')} rows are usable; ${v.problemCount} problems, ${v.blankRows} blank rows, ${v.exactDuplicates} exact and ${v.normalisedDuplicates} whitespace-only duplicates${v.mojibakeRows.length ? `, possible wrong encoding in rows ${v.mojibakeRows.slice(0, 10).join(', ')}` : ''}.`,
      `mapping: ${describeMapping(mapping)}`,
      ...v.problems.slice(0, 20).map((p) => `  row ${p.row}${p.column ? ` [${p.column}]` : ''}: ${p.message}`),
      ...v.columns.map((c) => `  column “${c.column}”: ${c.empty} empty, length ${c.minLength}–${c.maxLength} (mean ${c.meanLength})`),
    ].join('\n'),
  );
}

async function split(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parseFlags('dataset split', args, { project: { type: 'string' }, seed: { type: 'string' }, 'val-ratio': { type: 'string' } });
  const ratio = Number(values['val-ratio']);
  if (!(ratio >= 0 && ratio <= 0.9)) throw new LatheError('invalid_request', '--val-ratio must be a number from 0 to 0.9, e.g. --val-ratio 0.1');
  const svc = service(ctx);
  const dataset = await findDataset(ctx, svc, one(positionals, 'NAME', 'split'), values.project);
  const updated = await svc.setSplit({ id: dataset.id, seed: intFlag('seed', values.seed, dataset.splitSeed, 0, 2 ** 31 - 1), valRatio: ratio });
  const validation = (await svc.rows({ id: dataset.id, split: 'validation', limit: 1 })).total;
  const train = (await svc.rows({ id: dataset.id, split: 'train', limit: 1 })).total;
  ctx.out.result({ dataset: updated, train, validation }, (v) => `“${v.dataset.name}”: ${v.train} training rows, ${v.validation} validation rows (seed ${v.dataset.splitSeed}).`);
}

async function importFolder(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parseFlags('dataset import-llamafactory', args, { project: { type: 'string' } });
  const dir = path.resolve(one(positionals, 'DIR', 'import-llamafactory'));
  const svc = service(ctx);
  const jobId = `cli-${process.pid}`;
  const off = cancelOnSignal(ctx, svc, jobId);
  try {
    const r = await svc.importLlamaFactory({ projectId: projectId(ctx, values.project), dir, jobId });
    const out = { imported: r.imported.map((i) => ({ entry: i.entry, dataset: { id: i.dataset.id, name: i.dataset.name }, rows: i.rows, skipped: i.skipped })), skipped: r.skipped };
    ctx.out.result(out, (v) => [...v.imported.map((i) => `imported ${i.entry}: ${i.rows} rows`), ...v.skipped.map((s) => `skipped ${s.entry}: ${s.reason}`)].join('\n'));
  } finally {
    off();
  }
}

async function list(ctx: CliContext, args: string[]): Promise<void> {
  const { values } = parseFlags('dataset list', args, { project: { type: 'string' } });
  const pid = values.project ? projectId(ctx, values.project) : undefined;
  const datasets = await service(ctx).list(pid === undefined ? {} : { projectId: pid });
  ctx.out.result({ datasets }, (v) => (v.datasets.length ? v.datasets.map((d) => `${String(d.id).padStart(4)}  ${d.name}  ${d.rowCount} rows, ${d.shape}, from ${d.sourceName}`).join('\n') : 'No datasets yet: lathe dataset import FILE'));
}

async function show(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parseFlags('dataset show', args, { project: { type: 'string' }, rows: { type: 'string' } });
  const svc = service(ctx);
  const dataset = await findDataset(ctx, svc, one(positionals, 'NAME', 'show'), values.project);
  const n = intFlag('rows', values.rows, 10, 0, 1000);
  const rows = n === 0 ? [] : (await svc.rows({ id: dataset.id, limit: n })).rows.map((r) => r.record);
  ctx.out.result({ dataset, rows }, (v) => [`${v.dataset.name}: ${v.dataset.rowCount} rows (${v.dataset.shape}) from ${v.dataset.sourceName}`, ...v.rows.map((r) => JSON.stringify(r))].join('\n'));
}

async function exportCmd(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parseFlags('dataset export', args, { project: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } });
  if (values.format !== 'alpaca' && values.format !== 'sharegpt' && values.format !== 'openai') throw new LatheError('invalid_request', '--format must be alpaca, sharegpt or openai.');
  if (!values.out) throw new LatheError('invalid_request', 'Usage: lathe dataset export NAME --format alpaca|sharegpt|openai --out FILE');
  const svc = service(ctx);
  const dataset = await findDataset(ctx, svc, one(positionals, 'NAME', 'export'), values.project);
  const r = await svc.export({ id: dataset.id, format: values.format, out: path.resolve(values.out) });
  ctx.out.result({ dataset: { id: dataset.id, name: dataset.name }, ...r }, (v) => `Wrote ${v.rows} records to ${v.file} and an entry in ${v.datasetInfoFile}.`);
}

async function findDataset(ctx: CliContext, svc: DatasetsService, nameOrId: string, project: string | undefined): Promise<DatasetDto> {
  const all = await svc.list(project ? { projectId: projectId(ctx, project) } : {});
  const byName = all.filter((d) => d.name === nameOrId);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) throw new LatheError('conflict', `Several projects have a dataset named “${nameOrId}”; add --project P.`);
  if (/^\d+$/.test(nameOrId)) {
    const d = all.find((x) => x.id === Number(nameOrId));
    if (d) return d;
  }
  throw new LatheError('not_found', `There is no dataset named “${nameOrId}”. See: lathe dataset list`);
}

function readerOptions(values: { sheet?: string | undefined; encoding?: string | undefined }) {
  return { ...(values.sheet ? { sheet: values.sheet } : {}), ...(values.encoding ? { encoding: values.encoding } : {}) };
}

/** `field=column` overrides on top of a mapping; repeated fields join columns; `{…}` makes a template. */
export function applyOverrides(base: Mapping, overrides: readonly string[]): Mapping {
  const fields: Partial<Record<TargetField, FieldSource>> = { ...base.fields };
  const touched = new Set<TargetField>();
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new LatheError('invalid_request', `--map needs field=column, not “${o}”.`);
    const parsed = TargetFieldSchema.safeParse(o.slice(0, eq).trim());
    if (!parsed.success) throw new LatheError('invalid_request', `--map: unknown field “${o.slice(0, eq)}”. Fields: ${TargetFieldSchema.options.join(', ')}.`);
    const field = parsed.data;
    const value = o.slice(eq + 1).replace(/\\n/g, '\n');
    if (value === '') {
      delete fields[field];
      continue;
    }
    const template = /\{[^{}]+\}/.test(value) ? value : undefined;
    const cols = template ? templateColumns(template) : [value];
    const prev = touched.has(field) ? fields[field] : undefined;
    fields[field] = template ? { columns: cols, template } : { columns: [...(prev?.columns ?? []), ...cols] };
    touched.add(field);
  }
  const shape: Mapping['shape'] = fields.chosen && fields.rejected ? 'preference' : fields.messages ? 'conversation' : fields.text && !fields.output ? 'text' : 'single';
  return { ...base, shape, fields };
}

const TAG_KEYS = { role: 'roleTag', content: 'contentTag', user: 'userTag', assistant: 'assistantTag', system: 'systemTag', observation: 'observationTag', function: 'functionTag' } as const;

/** `--tag role=speaker` … on top of the mapping's role tags (sharegpt defaults when it has none). */
export function applyTags(base: Mapping, tags: readonly string[]): Mapping {
  if (tags.length === 0) return base;
  const roles: RoleTags = { ...RoleTagsSchema.parse({}), ...base.roles };
  for (const t of tags) {
    const eq = t.indexOf('=');
    const key = TAG_KEYS[t.slice(0, eq) as keyof typeof TAG_KEYS];
    if (eq <= 0 || !key || eq === t.length - 1) throw new LatheError('invalid_request', `--tag needs NAME=VALUE with NAME one of ${Object.keys(TAG_KEYS).join(', ')}, not “${t}”.`);
    roles[key] = t.slice(eq + 1);
  }
  return { ...base, roles };
}

/** Each target field → its column (or columns). */
export function flatMapping(m: Mapping): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [field, src] of Object.entries(m.fields) as [TargetField, FieldSource][]) out[field] = src.columns.length === 1 ? src.columns[0]! : src.columns;
  return out;
}

function describeMapping(m: Mapping): string {
  return `${m.shape}: ${Object.entries(flatMapping(m))
    .map(([f, c]) => `${f} ← ${Array.isArray(c) ? c.join(' + ') : c}`)
    .join(', ')}`;
}
