// A backend (services + handler table) on a fresh temporary workspace per test, closed and removed after each test.
// Call `useTestBackend()` at the top of a test file; `start()` inside a test.
import { afterEach } from 'vitest';
import { startBackend, type Backend, type BackendOptions } from '../../main/services/backend.js';
import { tempHome } from './temp-home.js';

export const TEST_CALLER = { transport: 'test' } as const;

export interface TestBackend {
  start(transport?: 'electron' | 'web', options?: BackendOptions): Backend;
  /** The current test's workspace folder (after start()). */
  readonly home: string;
}

export function useTestBackend(): TestBackend {
  const open: { backend: Backend; cleanup(): void }[] = [];
  let home = '';
  afterEach(() => {
    for (const o of open.splice(0)) {
      o.backend.close();
      o.cleanup();
    }
  });
  return {
    start(transport = 'web', options = {}) {
      const h = tempHome();
      home = h.dir;
      const backend = startBackend(h.dir, transport, options);
      open.push({ backend, cleanup: h.cleanup });
      return backend;
    },
    get home() {
      return home;
    },
  };
}
