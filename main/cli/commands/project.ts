// `lathe project create|list|rename|delete`: projects from the command line, same store as the app.
import { LatheError } from '../../../preload/contract/errors.js';
import { CreateProjectRequest, type ProjectDto } from '../../../preload/contract/projects.js';
import { ProjectsStore } from '../../db/projects-store.js';
import { ProjectRemovalQueue } from '../../projects/project-removal.js';
import type { CliCommand } from '../cli-command.js';
import { parseFlags } from '../parse-flags.js';

const USAGE = `lathe project create NAME
lathe project list
lathe project rename NAME NEW_NAME
lathe project delete NAME`;

export const projectCommand: CliCommand = {
  name: 'project',
  summary: 'Create, list, rename and delete projects',
  usage: USAGE,
  async run(ctx, args) {
    const [sub, ...rest] = args;
    const { positionals } = parseFlags(`project ${sub ?? ''}`.trim(), rest, {});
    const store = new ProjectsStore(ctx.workspace().db);
    switch (sub) {
      case 'create': {
        const req = CreateProjectRequest.safeParse({ name: positionals.join(' ') });
        if (!req.success) throw new LatheError('invalid_request', req.error.issues[0]?.message ?? 'Invalid project name.');
        const project = store.create(req.data.name);
        ctx.out.result({ project }, (v) => `Created project “${v.project.name}” (id ${v.project.id}).`);
        return;
      }
      case 'list': {
        const projects = store.list();
        ctx.out.result({ projects }, (v) => (v.projects.length ? v.projects.map(describe).join('\n') : 'No projects yet: lathe project create NAME'));
        return;
      }
      case 'rename': {
        if (positionals.length !== 2) throw new LatheError('invalid_request', `Usage: lathe project rename NAME NEW_NAME`);
        const project = findProject(store, positionals[0]!);
        const next = CreateProjectRequest.safeParse({ name: positionals[1] });
        if (!next.success) throw new LatheError('invalid_request', next.error.issues[0]?.message ?? 'Invalid project name.');
        const renamed = store.rename(project.id, next.data.name);
        ctx.out.result({ project: renamed }, (v) => `Renamed to “${v.project.name}”.`);
        return;
      }
      case 'delete': {
        if (positionals.length !== 1) throw new LatheError('invalid_request', `Usage: lathe project delete NAME`);
        const project = findProject(store, positionals[0]!);
        store.remove(project.id);
        // Hidden now; what it owns goes in short transactions (an app open on the workspace keeps writing), before
        // this command returns. Interrupted, the rest is deleted at the next start.
        const paths = ctx.workspace().paths;
        const removal = new ProjectRemovalQueue(store, (id) => paths.project(id), { waitForImports: false });
        const onAbort = () => removal.stop();
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        let finished: boolean;
        try {
          finished = await removal.add(project.id);
        } finally {
          ctx.signal.removeEventListener('abort', onAbort);
        }
        ctx.out.result({ deleted: { id: project.id, name: project.name }, finished }, (v) =>
          v.finished ? `Deleted project “${v.deleted.name}”.` : `Deleted project “${v.deleted.name}”; what is left of it (an import was still writing into it) is removed when Lathe next starts.`,
        );
        return;
      }
      default:
        throw new LatheError('invalid_request', `Unknown project command “${sub ?? ''}”.\n${USAGE}`);
    }
  },
};

/** A project named on the command line, by name or numeric id. */
export function findProject(store: ProjectsStore, nameOrId: string): ProjectDto {
  const byName = store.findByName(nameOrId);
  if (byName) return byName;
  if (/^\d+$/.test(nameOrId)) return store.get(Number(nameOrId));
  throw new LatheError('not_found', `There is no project named “${nameOrId}”. See: lathe project list`);
}

function describe(p: ProjectDto): string {
  return `${String(p.id).padStart(4)}  ${p.name}  (${p.datasetCount} datasets, ${p.runCount} runs, ${p.exportCount} exports)`;
}
