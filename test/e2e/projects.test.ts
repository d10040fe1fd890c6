// End to end, in a real browser against the built app in web mode: the projects home.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot } from './helpers/browser.js';
import { startLatheServer, type LatheServer } from './helpers/lathe-server.js';

let server: LatheServer;
let browser: Browser;

beforeAll(async () => {
  server = await startLatheServer(['--no-demo']);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('web mode: projects home', () => {
  it('refuses the page without the token', async () => {
    const res = await fetch(`${server.origin}/`);
    expect(res.status).toBe(401);
  });

  it('creates, renames, switches language and deletes a project', async () => {
    const errors: string[] = [];
    const page = await openPage(browser, errors);
    await page.goto(server.url);
    await page.getByTestId('connection').waitFor();
    expect(await page.getByTestId('connection').textContent()).toMatch(/Web mode · v\d/);
    // The token leaves the address bar once the page has it.
    expect(page.url()).not.toContain('token=');

    await page.getByLabel('New project').fill('Support tickets');
    await page.getByRole('button', { name: 'Create' }).click();
    const card = page.getByTestId('project-card');
    await card.waitFor();
    expect(await card.textContent()).toContain('Support tickets');
    expect(await card.textContent()).toContain('0 datasets · 0 runs · 0 exports');
    await screenshot(page, 'projects-home');

    await card.getByRole('button', { name: 'Rename' }).click();
    await card.getByLabel('Rename').fill('客服工单');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText('客服工单').waitFor();

    await page.getByLabel('Language').selectOption('zh');
    await page.getByRole('heading', { name: '项目' }).waitFor();
    await screenshot(page, 'projects-home-zh');

    // A duplicate name is refused with the server's message, not a crash.
    await page.getByLabel('新建项目').fill('客服工单');
    await page.getByRole('button', { name: '创建' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('already exists');

    page.once('dialog', (d) => void d.accept());
    await card.getByRole('button', { name: '删除' }).click();
    await page.getByRole('heading', { name: '还没有项目' }).waitFor();
    expect(await page.getByTestId('project-card').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
