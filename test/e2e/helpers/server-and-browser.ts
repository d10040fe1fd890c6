// The setup most browser tests share: a Lathe server on its own fresh workspace and a headless browser, started
// before the file's tests and closed after them. It opens no page (a test does, with the viewport it needs).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from './browser.js';
import { startLatheServer, type LatheServer } from './lathe-server.js';

export interface ServerAndBrowser {
  readonly server: LatheServer;
  readonly browser: Browser;
}

/** Call at a test file's top level; read `server` and `browser` from the result inside tests (set by beforeAll). */
export function useServerAndBrowser(): ServerAndBrowser {
  let server: LatheServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startLatheServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error('the Lathe server is not started yet (use it inside a test)');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('the browser is not launched yet (use it inside a test)');
      return browser;
    },
  };
}
