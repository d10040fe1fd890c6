// End to end, in a real browser against the built app in web mode on a fresh workspace: the first-start demo,
// then the whole desktop workflow — import a spreadsheet through the wizard (encoding re-read, mapping adjusted),
// browse and search it, preview prompts (trained/masked rendering), train the tiny model on the CPU engine while
// the chart receives points, stop it, and open the run. Screenshots of each page go to test-results/e2e/.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, screenshot } from './helpers/browser.js';
import { ROOT } from './helpers/lathe-server.js';
import { useServerAndBrowser } from './helpers/server-and-browser.js';

const TICKETS = path.join(ROOT, 'test', 'e2e', 'fixtures', 'support-tickets.csv');

const env = useServerAndBrowser();

const go = (page: Page, route: string) => page.goto(`${env.server.origin}/#${route}`);
const points = (page: Page, testId: string) => page.getByTestId(testId).getAttribute('data-points').then(Number);

describe('web mode: the desktop workflow', () => {
  it('opens the demo project on first start with its dataset ready', async () => {
    const errors: string[] = [];
    const page = await openPage(env.browser, errors);
    await page.goto(env.server.url);
    await page.getByTestId('project-card').filter({ hasText: 'Demo: support tickets' }).waitFor();
    await go(page, 'data');
    await page.getByTestId('dataset-list').getByText('Support tickets (demo)').waitFor({ timeout: 60_000 });
    await page.getByTestId('rows-table').getByRole('gridcell').first().waitFor();
    await screenshot(page, 'workflow-01-demo-dataset');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('imports, maps, previews, trains, stops and opens a run', async () => {
    const errors: string[] = [];
    const page = await openPage(env.browser, errors);
    await page.goto(env.server.url);
    await page.getByLabel('New project').fill('Tickets e2e');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('project-picker').filter({ hasText: 'Tickets e2e' }).waitFor();
    expect(await page.getByTestId('project-picker').inputValue()).not.toBe('');
    await screenshot(page, 'workflow-02-projects');

    // 1. A file dropped anywhere on the window (here: on the projects home) opens the wizard with it; the file as
    //    read; a wrong encoding garbles it and the table follows the choice.
    const csv = fs.readFileSync(TICKETS, 'utf8');
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'support-tickets.csv', { type: 'text/csv' }));
      document.body.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, csv);
    await page.getByRole('heading', { name: 'Import data' }).waitFor();
    const sample = page.getByTestId('sample-table');
    await sample.getByText('申请退款需要多久到账？', { exact: true }).waitFor();
    await page.getByLabel('Encoding').selectOption('big5');
    await expect.poll(() => sample.getByText('申请退款需要多久到账？', { exact: true }).count()).toBe(0);
    await page.getByLabel('Encoding').selectOption('utf-8');
    await sample.getByText('申请退款需要多久到账？', { exact: true }).waitFor();
    await screenshot(page, 'workflow-03-import-source');

    // 2. Mapping: the suggestion is pre-selected with its confidence; add a second column to Input (a join template).
    await page.getByRole('button', { name: 'Next: choose fields' }).click();
    const input = page.getByTestId('map-input');
    await input.getByText('补充说明').waitFor();
    await page.getByTestId('map-instruction').getByText(/sure|likely|a guess/).waitFor();
    await input.getByLabel('Add a column to Input').selectOption('工单号');
    await input.getByLabel('Join template for Input').waitFor();
    const firstPreview = page.getByTestId('preview-record').first();
    await firstPreview.getByText(/工单号: T1000/).waitFor();
    await screenshot(page, 'workflow-04-import-mapping');

    // 3. Validation: grouped problems, jump to a row, then save with progress.
    await page.getByRole('button', { name: 'Next: check the data' }).click();
    const group = page.getByTestId('problem-group').first();
    await group.waitFor();
    expect(await group.textContent()).toContain('2 rows');
    await group.getByRole('button', { name: 'Show row 14' }).click();
    await page.getByRole('heading', { name: 'Row 14' }).waitFor();
    // Any row by its number, fetched from main: the row as read (its cells) and as a record.
    await page.getByLabel('Row number in the file').fill('30');
    await page.getByRole('button', { name: 'Show row', exact: true }).click();
    await page.getByRole('heading', { name: 'Row 30' }).waitFor();
    await page.getByTestId('jumped-row').getByTestId('sample-table').waitFor();
    await page.getByLabel('Row number in the file').fill('14');
    await page.getByRole('button', { name: 'Show row', exact: true }).click();
    await page.getByRole('heading', { name: 'Row 14' }).waitFor();
    await screenshot(page, 'workflow-05-import-validate');
    await page.getByRole('button', { name: 'Import 38 rows' }).click();
    await page.getByTestId('import-result').waitFor();
    expect(await page.getByTestId('import-result').textContent()).toContain('38 records imported, 2 rows left out');
    await screenshot(page, 'workflow-06-import-saved');

    // 4. The dataset: virtualised rows and a Chinese search.
    await page.getByRole('link', { name: 'Open the dataset' }).click();
    await page.getByTestId('rows-table').getByRole('gridcell').first().waitFor();
    // Keyboard: click a row, then the arrow keys move the selection and the record below follows.
    await page.getByTestId('rows-table').getByRole('row').nth(1).click();
    await page.getByRole('heading', { name: 'Record 1 (source row 2)' }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.getByRole('heading', { name: 'Record 3 (source row 4)' }).waitFor();
    await page.getByLabel('Search the records').fill('退款');
    await page.getByTestId('row-count').getByText('5 matches').waitFor();
    await screenshot(page, 'workflow-07-dataset');

    // 5. Prompt preview: trained (answer) and masked (prompt) spans, special tokens, ids on hover, histogram.
    await go(page, 'preview');
    await page.getByTestId('model-card').getByText('lathe-tiny-llama').waitFor({ timeout: 60_000 });
    const spans = page.getByTestId('token-spans');
    await spans.waitFor({ timeout: 60_000 });
    await page.getByTestId('token-counts').waitFor();
    const trained = spans.locator('[data-trained="true"]');
    const masked = spans.locator('[data-trained="false"]');
    expect(await trained.count()).toBeGreaterThan(0);
    expect(await masked.count()).toBeGreaterThan(0);
    expect(await trained.first().textContent()).toContain('您好，您的订单已于今天上午发出');
    expect(await masked.first().textContent()).toContain('我的订单还没有发货');
    expect(await masked.first().textContent()).not.toContain('您好');
    expect(await spans.locator('.tok-special').count()).toBeGreaterThan(0);
    expect(await spans.locator('.tok').first().getAttribute('title')).toMatch(/^token 0 · id \d+ · masked$/);
    await expect.poll(() => points(page, 'length-chart')).toBeGreaterThan(0);
    // The statistics cover the whole dataset; "Jump to the longest" opens its longest record.
    await page.getByTestId('truncated-share').waitFor();
    const longest = page.getByRole('button', { name: 'Jump to the longest' });
    await expect.poll(() => longest.isEnabled()).toBe(true);
    const title = (await longest.getAttribute('title')) ?? '';
    const longestRow = /^Record (\d+):/.exec(title)?.[1];
    expect(longestRow).toBeDefined();
    await longest.click();
    await page.getByRole('heading', { name: new RegExp(`^Record ${longestRow} of `) }).waitFor();
    await page.getByTestId('longest-records').waitFor();
    await screenshot(page, 'workflow-08-preview');

    // 6. Train the tiny model on the CPU: the loss chart receives points while it runs; then stop it.
    await go(page, 'train');
    await page.getByTestId('train-form').waitFor({ timeout: 60_000 });
    await page.getByLabel('Stop after (steps)').fill('400');
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.getByTestId('run-dashboard').waitFor();
    await expect.poll(() => points(page, 'loss-chart'), { timeout: 90_000 }).toBeGreaterThan(2);
    expect(await page.getByTestId('run-status').textContent()).toBe('running');
    // The log tail reads engine events as lines ("12:01:02  step 3/400  loss 2.1234 …"); "Raw lines" shows the JSON.
    await expect.poll(() => page.getByTestId('log-tail').textContent(), { timeout: 30_000 }).toMatch(/\d\d:\d\d:\d\d {2}step \d+\/400 {2}loss \d+\.\d{4}/);
    expect(await page.getByTestId('log-tail').textContent()).not.toContain('{"event"');
    await page.getByTestId('log-raw').check();
    expect(await page.getByTestId('log-tail').textContent()).toContain('{"event":"step"');
    await page.getByTestId('log-raw').uncheck();
    await screenshot(page, 'workflow-09-train-dashboard');
    // The dashboard in the dark theme (chart colours follow the OS switch).
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'workflow-09b-train-dashboard-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toBe('paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toBe('running');
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 90_000 }).toBe('interrupted');
    // Stopped before its planned end: interrupted (resumable, adapter kept), saying where it stopped, not an error.
    expect(await page.getByTestId('run-error').textContent()).toMatch(/^Stopped at step \d+ of 400\./);
    expect(await page.getByTestId('run-error').getAttribute('role')).toBe('status');

    // 7. Runs: the history lists it; opening it shows the detail and the predictions panel.
    await go(page, 'runs');
    const row = page.getByTestId('run-row').first();
    await row.waitFor();
    expect(await row.textContent()).toMatch(/lathe-tiny-llama · .+ #1/);
    await row.click();
    await page.getByTestId('run-detail').waitFor();
    await page.getByTestId('predictions').waitFor();
    await page.getByRole('checkbox').first().check();
    await page.getByTestId('compare-chart').waitFor();
    await expect.poll(() => points(page, 'compare-lines')).toBeGreaterThan(0);
    await screenshot(page, 'workflow-10-runs');

    await go(page, 'export');
    await page.getByTestId('export-form').waitFor();
    await screenshot(page, 'workflow-11-export');

    await page.getByLabel('Language').selectOption('zh');
    await go(page, 'train');
    await page.getByRole('heading', { name: '训练', exact: true }).waitFor();
    await screenshot(page, 'workflow-12-train-zh');
    expect(errors).toEqual([]);
    await page.close();
  });
});
