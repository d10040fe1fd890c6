// End to end, in a real browser: every page, in English and Simplified Chinese, dark theme, small window (1024×640),
// has a name for each control (input, select, textarea, button, link), no English chrome left in the navigation
// and headings, and no horizontal scrollbar. Does not exercise the workflow itself (workflow.test.ts does).
import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from './helpers/server-and-browser.js';

const env = useServerAndBrowser();

const PAGES = ['projects', 'models', 'import', 'data', 'preview', 'train', 'runs', 'export', 'playground'];

describe('web mode: every page, English and Chinese, dark, 1024×640', () => {
  it('names every control, translates the chrome and fits the window', async () => {
    const errors: string[] = [];
    const context = await env.browser.newContext({ viewport: { width: 1024, height: 640 }, colorScheme: 'dark' });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(env.server.url);
    await page.getByTestId('project-card').first().waitFor();
    // English first (its longer words are what overflowed a 1024 px window), then Chinese.
    for (const [lang, id] of [...PAGES.map((p) => ['en', p] as const), ...PAGES.map((p) => ['zh', p] as const)]) {
      if (id === PAGES[0]) await page.getByRole('combobox', { name: /^(Language|语言)$/ }).selectOption(lang);
      await page.goto(`${env.server.origin}/#${id}`);
      await page.locator('main h1').first().waitFor();
      // Let the page's first load settle (lists, model card) before looking. Its data comes over the WebSocket, which
      // 'networkidle' does not see, so the look below is repeated until it holds (a page still loading on a busy
      // machine is not a failure; one that stays wrong is).
      await page.waitForLoadState('networkidle').catch(() => undefined);
      await page.waitForTimeout(300);
      const look = () => page.evaluate((lang) => {
        const nameOf = (el: Element): string => {
          const aria = el.getAttribute('aria-label');
          if (aria) return aria;
          const by = el.getAttribute('aria-labelledby');
          if (by) return by.split(' ').map((i) => document.getElementById(i)?.textContent ?? '').join(' ');
          const labels = (el as HTMLInputElement).labels;
          if (labels && labels.length) return [...labels].map((l) => l.textContent ?? '').join(' ');
          if (!['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) return el.textContent ?? '';
          return el.getAttribute('title') ?? '';
        };
        const unnamed = [...document.querySelectorAll('input:not([type=hidden]):not([type=file]), select, textarea, button, a[href]')]
          .filter((el) => !nameOf(el).trim())
          .map((el) => el.outerHTML.slice(0, 120));
        // The app's own chrome (navigation, headings, buttons) has Chinese in it; user data (names, marked translate=no)
        // may be any language.
        const chrome = [...document.querySelectorAll('nav a, main h1, main h2, main button')]
          .filter((el) => !el.querySelector('.card-title') && !el.closest('.card-title, .list-item, [translate=no]'))
          .map((el) => (el.textContent ?? '').trim())
          .filter((s) => lang === 'zh' && /[A-Za-z]{3,}/.test(s) && !/[\u4e00-\u9fff]/.test(s) && !/^(LoRA|QLoRA|GGUF|ONNX|Ollama|BLEU-4|ROUGE-[12L])$/.test(s));
        return { unnamed, chrome, overflow: document.documentElement.scrollWidth - window.innerWidth, lang: document.documentElement.lang };
      }, lang);
      await expect.poll(async () => ({ page: id, ...(await look()) }), { timeout: 30_000 }).toEqual({ page: id, unnamed: [], chrome: [], overflow: 0, lang: lang === 'zh' ? 'zh-CN' : 'en' });
    }
    expect(errors).toEqual([]);
    await context.close();
  });
});
