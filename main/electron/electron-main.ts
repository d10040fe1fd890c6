// The desktop app's main process: opens the workspace, serves the contract over ipcMain (sender-checked), shows the
// renderer from a private scheme with a strict CSP. All domain work lives in services; heavy work in workers and
// child processes, so this thread only routes messages.
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell, net } from 'electron';
import type { NativeDialogs } from '../services/service-context.js';
import { EVENT_CHANNEL } from '../../preload/contract/define.js';
import { LatheError } from '../../preload/contract/errors.js';
import { startBackend, type Backend } from '../services/backend.js';
import { resolveHome } from '../workspace/default-home.js';
import { extractGlobalFlags } from '../cli/parse-flags.js';
import { contentSecurityPolicy } from '../security/content-security-policy.js';
import { resolveStatic } from '../web/static-files.js';
import { APP_ENTRY_URL, APP_SCHEME, externalLinkToOpen, isAllowedNavigation, isTrustedSender, webPreferences } from './window-security.js';

const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const rendererDir = path.join(distDir, 'renderer');
const preloadPath = path.join(distDir, 'preload', 'index.cjs');

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let backend: Backend | undefined;

const dialogs: NativeDialogs = {
  async pickPath(kind, title, filters) {
    const parent = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
    const options = {
      ...(title ? { title } : {}),
      properties: [kind === 'folder' ? ('openDirectory' as const) : ('openFile' as const)],
      ...(filters ? { filters: filters.map((f) => ({ name: f.name, extensions: [...f.extensions] })) } : {}),
    };
    const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
    return result.canceled ? undefined : result.filePaths[0];
  },
  // showItemInFolder selects the item in the file manager; openPath would launch executables and app bundles.
  reveal: (target) => shell.showItemInFolder(target),
};

function serveRendererScheme(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveStatic(rendererDir, new URL(request.url).pathname);
    if (!file) return new Response('Not found', { status: 404 });
    const response = await net.fetch(`file://${file.split(path.sep).join('/')}`);
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', contentSecurityPolicy());
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

function registerIpc(b: Backend): void {
  for (const channel of b.handlers.channels()) {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      if (!isTrustedSender(event.senderFrame?.url)) {
        return { ok: false, error: new LatheError('forbidden', 'Calls are accepted from the Lathe window only.').toJSON() };
      }
      return b.handlers.invoke({ transport: 'electron' }, channel, payload);
    });
  }
  b.events.subscribe((name, payload) => {
    for (const win of BrowserWindow.getAllWindows()) {
      if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, { event: name, payload });
    }
  });
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'Lathe',
    backgroundColor: '#111418',
    webPreferences: webPreferences(preloadPath),
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    const external = externalLinkToOpen(url);
    if (external) void shell.openExternal(external);
    return { action: 'deny' };
  });
  void win.loadURL(APP_ENTRY_URL);
}

app.enableSandbox();
app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    process.stderr.write(`Lathe: the renderer is not built (${rendererDir}). Run: npm run build\n`);
    app.exit(1);
    return;
  }
  const flags = extractGlobalFlags(process.argv.slice(app.isPackaged ? 1 : 2));
  backend = startBackend(resolveHome(flags.home), 'electron', { seedDemo: true, locale: app.getLocale(), dialogs });
  serveRendererScheme();
  registerIpc(backend);
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
}).catch((err: unknown) => {
  process.stderr.write(`Lathe failed to start: ${(err as Error).message}\n`);
  app.exit(1);
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('will-quit', () => backend?.close());
