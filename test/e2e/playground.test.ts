// End to end, in a real browser against the built app in web mode: the Playground asks the tiny model through the
// native engine in two panes at once (streamed, tokens/s), stops a long answer, shows the rendered template, asks
// a validation row of the demo dataset with its reference answer, and runs one pane on ONNX Runtime (same answer).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEngineBinary } from '../../main/engine/engine-binary.js';
import { startBackend } from '../../main/services/backend.js';
import { launchBrowser, openPage, screenshot } from './helpers/browser.js';
import { startLatheServer, type LatheServer } from './helpers/lathe-server.js';

let server: LatheServer;
let browser: Browser;

beforeAll(async () => {
  server = await startLatheServer();
  browser = await launchBrowser();
  // The demo dataset (seeded at start-up, in the background) gets a validation share, as a user sets on Data.
  const backend = startBackend(server.home, 'web');
  try {
    for (let i = 0; ; i++) {
      const [demo] = await backend.services.datasets.list({});
      if (demo) {
        await backend.services.datasets.setSplit({ id: demo.id, seed: 42, valRatio: 0.2 });
        break;
      }
      if (i > 120) throw new Error('The demo dataset was not seeded.');
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    backend.close();
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const answer = (page: Page, pane: 'left' | 'right', nth: number) => page.getByTestId(`pane-${pane}`).getByTestId('answer').nth(nth);

async function waitStatus(page: Page, pane: 'left' | 'right', nth: number, status: string): Promise<void> {
  await page.waitForFunction(
    ([p, n, s]) => document.querySelectorAll(`[data-testid="pane-${p}"] [data-testid="answer"]`)[Number(n)]?.getAttribute('data-status') === s,
    [pane, String(nth), status],
    { timeout: 60_000 },
  );
}

describe.skipIf(!findEngineBinary())('web mode: Playground', () => {
  it('answers in both panes, stops, shows the template, asks a validation row, compares native and ONNX', async () => {
    const errors: string[] = [];
    const page = await openPage(browser, errors);
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Playground' }).click();
    await page.getByRole('heading', { name: 'Playground', level: 1 }).waitFor();

    // Both panes on the tiny model (no run yet to compare with), native engine, greedy.
    await page.waitForFunction(() => (document.querySelector('[data-testid="target-left"]') as HTMLSelectElement | null)?.value.startsWith('model:'));
    const tiny = await page.getByTestId('target-left').inputValue();
    await page.getByTestId('target-right').selectOption(tiny);
    await page.getByTestId('sampling-maxNewTokens').fill('16');
    await page.getByTestId('prompt-input').fill('How do I reset my password?');
    await page.getByTestId('send').click();
    await waitStatus(page, 'left', 0, 'done');
    await waitStatus(page, 'right', 0, 'done');
    expect(await answer(page, 'left', 0).textContent()).toBe(await answer(page, 'right', 0).textContent());
    expect(await page.getByTestId('pane-left').getByTestId('answer-stats').first().textContent()).toMatch(/^\d+ tokens · [\d.]+ tokens\/s · template chatml/);
    await screenshot(page, 'playground-two-panes');

    // A long answer, stopped from the prompt box while it streams; history stays.
    await page.getByTestId('sampling-maxNewTokens').fill('4000');
    await page.getByTestId('prompt-input').fill('Tell me everything about refunds.');
    await page.getByTestId('prompt-input').press('Control+Enter');
    await page.waitForFunction(() => /^([5-9]|\d\d+) tokens/.test(document.querySelectorAll('[data-testid="pane-left"] [data-testid="answer-stats"]')[1]?.textContent ?? ''));
    await page.getByTestId('stop-all').click();
    await waitStatus(page, 'left', 1, 'stopped');
    await waitStatus(page, 'right', 1, 'stopped');
    expect(await page.getByTestId('pane-left').getByTestId('answer-stats').nth(1).textContent()).toMatch(/^([5-9]|\d\d+) tokens .* stopped$/);
    expect((await answer(page, 'left', 1).textContent())!.length).toBeGreaterThan(0);

    // The template the model reads.
    await page.getByTestId('show-prompt').click();
    await page.getByTestId('rendered-prompt').waitFor();
    expect(await page.getByTestId('rendered-prompt').textContent()).toContain('<|im_start|>assistant');
    expect(await page.getByText(/Template chatml · \d+ prompt tokens · stops at <\|im_end\|>/).count()).toBe(1);

    // A validation row of the demo dataset as the question, its reference answer beside the panes.
    await page.getByTestId('sampling-maxNewTokens').fill('16');
    await page.getByTestId('validation').locator('summary').click();
    await page.getByTestId('use-validation-row').first().click();
    await page.getByTestId('reference').waitFor();
    expect((await page.getByTestId('reference').textContent())?.length).toBeGreaterThan(20);
    await waitStatus(page, 'left', 0, 'done');
    await waitStatus(page, 'right', 0, 'done');
    await screenshot(page, 'playground-validation-row');

    // The right pane on ONNX Runtime: the plain model folder is exported on first use, and greedy answers match.
    await page.getByTestId('engine-right').selectOption('onnx');
    await page.getByTestId('clear').click();
    await page.getByTestId('prompt-input').fill('Where is my parcel?');
    await page.getByTestId('send').click();
    await waitStatus(page, 'left', 0, 'done');
    await waitStatus(page, 'right', 0, 'done');
    expect(await answer(page, 'right', 0).textContent()).toBe(await answer(page, 'left', 0).textContent());
    await screenshot(page, 'playground-native-vs-onnx');
    expect(errors).toEqual([]);
    await page.close();
  });
});
