// End to end, in a real browser against the built app in web mode: the Models page downloads the tiny model from
// the fake hub (test/fixtures/hub, on 127.0.0.1) through the UI, shows it in the library, handles a gated model
// with a token, and removes it. The hub endpoint is typed into the form, as a user picks a mirror.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHub, tinyModelFiles, type FakeHub } from '../fixtures/hub/fake-hub-server.js';
import { launchBrowser, openPage, screenshot } from './helpers/browser.js';
import { startLatheServer, type LatheServer } from './helpers/lathe-server.js';

const TOKEN = 'hf_e2e_token_0123456789';
let server: LatheServer;
let browser: Browser;
let hub: FakeHub;

beforeAll(async () => {
  const files = tinyModelFiles();
  hub = await startFakeHub({ 'lathe/tiny-llama': { files, commit: '1'.repeat(40) }, 'lathe/tiny-llama-gated': { files, commit: '2'.repeat(40), token: TOKEN } }, { chunkDelayMs: 5 });
  server = await startLatheServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await hub?.close();
});

describe('web mode: Models page', () => {
  it('downloads a model by name from a typed endpoint, lists it, handles a gated model, removes it', async () => {
    const errors: string[] = [];
    const page = await openPage(browser, errors);
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByRole('heading', { name: 'Models', level: 1 }).waitFor();
    await page.getByTestId('library-empty').waitFor();
    // The curated list is there, with VRAM figures; no GPU on this machine, so no fit marks.
    await page.getByTestId('curated-table').getByText('Qwen2.5 7B Instruct').waitFor();
    await page.getByLabel('Search recommended models').fill('llama 1b');
    expect(await page.getByTestId('curated-table').locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: 'Use Llama 3.2 1B Instruct in the download form' }).click();
    expect(await page.getByLabel('Model name').inputValue()).toBe('meta-llama/Llama-3.2-1B-Instruct');
    await screenshot(page, 'models-empty');

    await page.getByLabel('Model name').fill('lathe/tiny-llama');
    await page.getByLabel('Endpoint (mirror)').fill(hub.url);
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    await page.getByRole('progressbar', { name: 'Download progress of lathe/tiny-llama' }).waitFor();
    await page.locator('[data-testid="download"][data-state="done"]').waitFor({ timeout: 60_000 });
    // The built-in demo model is listed first; the downloaded one follows.
    await page.getByTestId('library-builtin').waitFor();
    const row = page.getByTestId('library-row').filter({ hasNot: page.getByTestId('library-builtin') }).first();
    await row.waitFor();
    await expect.poll(() => row.getByTestId('library-status').textContent()).toBe('Ready');
    expect(await row.textContent()).toContain('LlamaForCausalLM');
    await row.getByText('Model card').click();
    await row.getByTestId('model-card').waitFor();
    expect(await row.getByTestId('model-card').textContent()).toMatch(/\d+ layers/);
    await screenshot(page, 'models-downloaded');

    // A gated model: the hub's refusal is shown in words; a token (kept in memory: no keychain here) opens it.
    await page.getByLabel('Model name').fill('lathe/tiny-llama-gated');
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    const failed = page.locator('[data-testid="download"][data-state="failed"]');
    await failed.waitFor({ timeout: 30_000 });
    expect(await failed.getByRole('alert').textContent()).toMatch(/is gated \(HTTP 401\)/);
    // Resume (same name, source, endpoint) fails the same way without a token; then dismiss.
    await failed.getByRole('button', { name: 'Resume' }).click();
    await page.locator('[data-testid="download"][data-state="failed"]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('download').filter({ hasText: 'lathe/tiny-llama-gated' }).count()).toBe(1);
    await page.locator('[data-testid="download"][data-state="failed"]').getByRole('button', { name: 'Dismiss' }).click();
    await page.getByLabel('Hugging Face access token').fill(TOKEN);
    await page.getByRole('button', { name: 'Save token' }).first().click();
    await expect.poll(() => page.getByTestId('token-status-hf').textContent()).toMatch(/memory for this session only/);
    expect(await page.getByTestId('token-status-hf').getAttribute('title')).toMatch(/no OS keychain was found/);
    await expect.poll(() => page.getByLabel('Hugging Face access token').inputValue()).toBe('');
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    await page.getByTestId('library-row').filter({ hasText: 'lathe/tiny-llama-gated' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('library-row').filter({ hasText: 'lathe/tiny-llama-gated' }).getByTestId('library-status').textContent(), { timeout: 60_000 }).toBe('Ready');
    expect(await page.content()).not.toContain(TOKEN);

    // Remove (deletes the files after a confirmation), keyboard only.
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('group', { name: 'Actions for lathe/tiny-llama', exact: true }).getByRole('button', { name: 'Remove' }).focus();
    await page.keyboard.press('Enter');
    const own = page.getByTestId('library-row').filter({ hasNot: page.getByTestId('library-builtin') });
    await expect.poll(() => own.count()).toBe(1);
    expect(await own.textContent()).toContain('lathe/tiny-llama-gated');
    // The built-in demo model stays, without a Remove button.
    expect(await page.getByRole('group', { name: 'Actions for lathe-tiny-llama', exact: true }).getByRole('button', { name: 'Remove' }).count()).toBe(0);

    await page.getByLabel('Language').selectOption('zh');
    await page.getByRole('heading', { name: '模型', level: 1 }).waitFor();
    await screenshot(page, 'models-zh');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('cancels a download from the page and resumes it where it stopped', async () => {
    const errors: string[] = [];
    const page = await openPage(browser, errors);
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Models' }).click();
    // The weights stop coming after 2 MB (the connection stays open and silent, for longer than the test): the Cancel
    // click cannot lose a race with the download's end, however slowly a busy machine gets to it.
    hub.faults = { chunkDelayMs: 60, stallMidFile: { path: 'model.safetensors', afterBytes: 2_000_000 } };
    hub.log.length = 0;
    await page.getByLabel('Model name').fill('lathe/tiny-llama');
    await page.getByLabel('Endpoint (mirror)').fill(hub.url);
    await page.getByLabel('Source').selectOption('modelscope');
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    const bar = page.getByRole('progressbar', { name: 'Download progress of lathe/tiny-llama' }).first();
    await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 30_000 }).toBeGreaterThan(10);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('[data-testid="download"][data-state="cancelled"]').waitFor({ timeout: 30_000 });
    // Exactly this model's row (the gated one from the test above is still in the library).
    const row = page.getByTestId('library-row').filter({ has: page.getByRole('group', { name: 'Actions for lathe/tiny-llama', exact: true }) });
    await expect.poll(() => row.getByTestId('library-status').textContent()).toBe('Incomplete');

    hub.faults = {};
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('[data-testid="download"][data-state="done"]').waitFor({ timeout: 60_000 });
    await expect.poll(() => row.getByTestId('library-status').textContent()).toBe('Ready');
    // The weights were resumed with a Range request on ModelScope's download URL, not fetched again from byte 0.
    const weights = hub.log.filter((l) => l.url.includes('FilePath=model.safetensors'));
    expect(weights.at(-1)!.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(weights.at(-1)!.status).toBe(206);
    expect(errors).toEqual([]);
    await page.close();
  });
});
