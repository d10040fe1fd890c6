// `lathe model pull|list|rm|check|repair`: the model library from the command line, same service and DB as the
// app. `model.ts` (inspect) delegates these subcommands here. Pull prints progress lines and waits for the end.
import { LatheError } from '../../../preload/contract/errors.js';
import type { DownloadDto, LibraryModelDto } from '../../../preload/contract/library.js';
import { HubSource, PullRequest } from '../../../preload/contract/library.js';
import { EventHub } from '../../ipc/event-hub.js';
import { LibraryService } from '../../library/library-service.js';
import type { CliContext } from '../cli-command.js';
import { parseFlags } from '../parse-flags.js';

export const LIBRARY_SUBCOMMANDS: readonly string[] = ['pull', 'list', 'rm', 'check', 'repair'];

export const LIBRARY_USAGE = `lathe model pull NAME [--source hf|modelscope] [--endpoint URL] [--revision R]
  Downloads only what training needs (configs, tokenizer, safetensors); resumes where an earlier pull stopped.
  Gated models need a token: set HF_TOKEN (or MODELSCOPE_API_TOKEN), or add one in the app.
  --endpoint picks a mirror, e.g. https://hf-mirror.com
lathe model list
lathe model rm NAME            (a downloaded model's files are deleted; an added folder is only forgotten)
lathe model check NAME [--full]  (--full also compares every file's SHA-256 with the hub's)
lathe model repair NAME        (downloads missing or damaged files again)`;

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

function bytes(n: number): string {
  return n >= GiB ? `${(n / GiB).toFixed(2)} GiB` : `${(n / MiB).toFixed(1)} MiB`;
}

/** One human progress line; undefined while there is nothing to say yet (listing the repository). */
function progressLine(d: DownloadDto): string | undefined {
  if (d.bytesTotal === 0 && d.fileCount === 0) return undefined;
  const pct = d.bytesTotal ? Math.floor((100 * d.bytesDone) / d.bytesTotal) : 0;
  const running = d.state === 'downloading' || d.state === 'verifying';
  const rate = running ? `  ${bytes(d.speedBps)}/s${d.etaSeconds === null ? '' : `  ETA ${d.etaSeconds}s`}` : '';
  return `${d.name}: ${d.state} ${pct}%  ${bytes(d.bytesDone)} / ${bytes(d.bytesTotal)}${rate}  (${d.filesDone}/${d.fileCount} files)`;
}

function params(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)}B` : n >= 1e6 ? `${Math.round(n / 1e6)}M` : `${Math.round(n / 1e3)}K`;
}

function describe(m: LibraryModelDto): string {
  const count = m.card ? params(m.card.parameters) : '?';
  const from = m.builtIn ? 'built in (demo model)' : m.source === 'local' ? 'added folder' : `${m.source}${m.revision ? `@${m.revision}` : ''}`;
  return `${String(m.id).padStart(4)}  ${m.name}  ${m.status}  ${bytes(m.diskBytes)}  ${count} params  ${from}\n      ${m.path}${m.problems.length ? `\n      ${m.problems.map((p) => `${p.path}: ${p.detail}`).join('\n      ')}` : ''}`;
}

export async function runModelLibrary(ctx: CliContext, sub: string, rest: string[]): Promise<number | void> {
  const events = new EventHub();
  // The CLI's thread blocks nothing else: download and hash inline.
  const lib = new LibraryService({ workspace: ctx.workspace(), events, transport: 'web' }, { useWorker: false });
  try {
    switch (sub) {
      case 'pull': {
        const { values, positionals } = parseFlags('model pull', rest, { source: { type: 'string' }, endpoint: { type: 'string' }, revision: { type: 'string' } });
        if (positionals.length !== 1) throw new LatheError('invalid_request', `Usage: ${LIBRARY_USAGE.split('\n')[0]}`);
        const source = HubSource.safeParse(values.source ?? 'hf');
        if (!source.success) throw new LatheError('invalid_request', `--source must be hf or modelscope, not “${values.source}”.`);
        const req = PullRequest.safeParse({ name: positionals[0], source: source.data, ...(values.endpoint ? { endpoint: values.endpoint } : {}), ...(values.revision ? { revision: values.revision } : {}) });
        if (!req.success) throw new LatheError('invalid_request', req.error.issues[0]?.message ?? 'Invalid pull request.');
        return await pull(ctx, lib, events, req.data);
      }
      case 'list': {
        parseFlags('model list', rest, {});
        const models = await lib.list();
        ctx.out.result({ models }, (v) => (v.models.length ? v.models.map(describe).join('\n') : 'No models yet: lathe model pull Qwen/Qwen2.5-0.5B-Instruct'));
        return;
      }
      case 'rm': {
        const { positionals } = parseFlags('model rm', rest, {});
        if (positionals.length !== 1) throw new LatheError('invalid_request', 'Usage: lathe model rm NAME');
        const m = await lib.find(positionals[0]!);
        const r = await lib.remove({ id: m.id });
        ctx.out.result({ removed: { id: m.id, name: m.name, path: m.path }, deletedFiles: r.deletedFiles }, (v) =>
          v.deletedFiles ? `Removed ${v.removed.name} and deleted ${v.removed.path}.` : `Removed ${v.removed.name} from the library; its folder ${v.removed.path} was left in place.`,
        );
        return;
      }
      case 'check': {
        const { values, positionals } = parseFlags('model check', rest, { full: { type: 'boolean' } });
        if (positionals.length !== 1) throw new LatheError('invalid_request', 'Usage: lathe model check NAME [--full]');
        const m = await lib.check({ id: (await lib.find(positionals[0]!)).id, full: values.full ?? false });
        ctx.out.result({ model: m }, (v) => describe(v.model));
        return m.status === 'ready' ? 0 : 1;
      }
      case 'repair': {
        const { positionals } = parseFlags('model repair', rest, {});
        if (positionals.length !== 1) throw new LatheError('invalid_request', 'Usage: lathe model repair NAME');
        const m = await lib.find(positionals[0]!);
        return await follow(ctx, lib, events, await lib.startRepair(m.id));
      }
      default:
        throw new LatheError('invalid_request', `Unknown model command “${sub}”.\n${LIBRARY_USAGE}`);
    }
  } finally {
    await lib.downloadsInFlight.dispose();
  }
}

async function pull(ctx: CliContext, lib: LibraryService, events: EventHub, req: Parameters<LibraryService['startPull']>[0]): Promise<number> {
  return follow(ctx, lib, events, await lib.startPull(req));
}

/** Prints progress (a JSON line per event with --json; at most one human line a second) and the outcome. */
async function follow(ctx: CliContext, lib: LibraryService, events: EventHub, started: { download: DownloadDto; done: Promise<DownloadDto> }): Promise<number> {
  let lastHuman = 0;
  const off = events.subscribe((name, payload) => {
    if (name !== 'library.progress') return;
    for (const d of (payload as { downloads: DownloadDto[] }).downloads) {
      const now = Date.now();
      const ended = d.state === 'done' || d.state === 'failed' || d.state === 'cancelled';
      const human = now - lastHuman >= 1000 || ended ? progressLine(d) : undefined;
      if (human !== undefined) lastHuman = now;
      ctx.out.line({ event: 'progress', download: d }, human);
    }
  });
  const onAbort = () => void lib.cancel({ downloadId: started.download.id }).catch(() => undefined);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const d = await started.done;
    if (d.state === 'cancelled') {
      ctx.out.info(`Stopped. Run the same command again to resume ${d.name}.`);
      return 130;
    }
    if (d.state === 'failed') throw new LatheError((d.error?.code as LatheError['code']) ?? 'io_error', d.error?.message ?? 'The download failed.');
    const model = d.modelId !== null ? await lib.get(d.modelId) : null;
    ctx.out.result({ download: { ...d, files: [] }, model }, (v) => `Downloaded ${v.download.name} (${bytes(v.download.bytesTotal)}) to ${v.model?.path ?? '?'}.`);
    return 0;
  } finally {
    off();
    ctx.signal.removeEventListener('abort', onAbort);
  }
}
