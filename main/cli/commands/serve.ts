// `lathe serve [--port N] [--host H] [--allow-remote]`: web mode. Prints the URL with its token and runs until
// interrupted. Non-loopback addresses need --allow-remote and get a warning.
import path from 'node:path';
import fs from 'node:fs';
import { LatheError } from '../../../preload/contract/errors.js';
import { APP_ROOT } from '../../app/repo-root.js';
import { startBackend } from '../../services/backend.js';
import { startWebServer } from '../../web/web-server.js';
import { isLoopbackHost } from '../../web/web-auth.js';
import type { CliCommand } from '../cli-command.js';
import { intFlag, parseFlags } from '../parse-flags.js';

export const DEFAULT_PORT = 7347;

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Run Lathe in a browser (web mode) on 127.0.0.1',
  usage: 'lathe serve [--port N] [--host H] [--allow-remote] [--no-demo] [--renderer DIR]\n  --no-demo  do not create the demo project in a fresh workspace',
  async run(ctx, args) {
    const { values } = parseFlags('serve', args, {
      port: { type: 'string' },
      host: { type: 'string' },
      'allow-remote': { type: 'boolean' },
      renderer: { type: 'string' },
      'no-demo': { type: 'boolean' },
    });
    const rendererDir = path.resolve(values.renderer ?? path.join(APP_ROOT, 'dist', 'renderer'));
    if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
      throw new LatheError('not_found', `The renderer is not built (${rendererDir} has no index.html). Run: npm run build`);
    }
    const host = values.host ?? '127.0.0.1';
    if (!isLoopbackHost(host)) {
      if (!values['allow-remote']) throw new LatheError('forbidden', `Refusing to listen on ${host}: other machines could reach it. Add --allow-remote if you mean it.`);
      process.stderr.write(`WARNING: listening on ${host}: anyone who can reach this machine and has the token can use this workspace.\n`);
    }
    const backend = startBackend(ctx.home, 'web', { seedDemo: !values['no-demo'] });
    const server = await startWebServer({
      handlers: backend.handlers,
      events: backend.events,
      rendererDir,
      tmpDir: backend.workspace.paths.tmp,
      host,
      port: intFlag('port', values.port, DEFAULT_PORT, 0, 65535),
      allowRemote: values['allow-remote'] ?? false,
    });
    ctx.out.result({ url: server.url, host: server.host, port: server.port, home: ctx.home }, (v) => `Lathe is running at ${v.url}\n(workspace: ${v.home}; Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    backend.close();
  },
};
