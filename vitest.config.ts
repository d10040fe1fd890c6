// Test projects: `unit` (beside the code, plus test/integration) and `e2e` (browser, needs a build).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['main/**/*.test.ts', 'preload/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          pool: 'forks',
          // expect.poll() waits for a condition; its 1 s default is too short for a loaded 2-core CI machine.
          expect: { poll: { timeout: 10_000 } },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // expect.poll() without a timeout waits as long as a playwright action does (30 s), not vitest's 1 s: a page
          // updating after a WebSocket event can take longer than that when CI's two cores are busy.
          expect: { poll: { timeout: 30_000 } },
        },
      },
    ],
  },
});
