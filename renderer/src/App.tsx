// The window's frame: a header (title, language, connection), the navigation and the current page.
import { useEffect } from 'react';
import { LANGUAGES, type Language } from './i18n/translate.js';
import { useT } from './i18n/use-t.js';
import { useLathe } from './store/bound-store.js';
import { appSelectors } from './store/app/selectors.js';
import { ErrorBanner } from './components/ErrorBanner.js';
import { PageErrorBoundary } from './components/PageErrorBoundary.js';
import { PAGES } from './pages/index.js';
import { useHashRoute } from './components/use-hash-route.js';
import { useWindowDrop } from './components/FileDropZone.js';
import { ProjectPicker } from './components/ProjectPicker.js';

export function App() {
  const t = useT();
  const info = useLathe(appSelectors.info);
  const connectionError = useLathe(appSelectors.connectionError);
  const language = useLathe(appSelectors.language);
  const setLanguage = useLathe((s) => s.setLanguage);
  const loadInfo = useLathe((s) => s.loadInfo);
  const [route] = useHashRoute(
    PAGES.map((p) => p.id),
    PAGES[0]!.id,
  );
  const Page = PAGES.find((p) => p.id === route)!.component;

  const importFromFile = useLathe((s) => s.importFromFile);
  const watchRuns = useLathe((s) => s.watchRuns);
  // A file dropped anywhere on the window starts the import wizard with it.
  const dragging = useWindowDrop((file) => {
    globalThis.location.hash = '#import';
    void importFromFile(file);
  });

  useEffect(() => {
    void loadInfo();
  }, [loadInfo]);
  // Run status, metrics and logs stream to whichever page is open.
  useEffect(() => watchRuns(), [watchRuns]);
  useEffect(() => {
    document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
  }, [language]);

  return (
    <div className="shell">
      <header className="topbar">
        {/* Keyboard users reach the page without tabbing through the navigation (hash routes: a button, not #main). */}
        <button type="button" className="skip-link" onClick={() => document.querySelector<HTMLElement>('main.content')?.focus()}>
          {t('app.skip')}
        </button>
        <span className="brand">{t('app.title')}</span>
        <nav aria-label={t('app.nav')}>
          {PAGES.map((p) => (
            <a key={p.id} className={`nav-item${p.id === route ? ' active' : ''}`} aria-current={p.id === route ? 'page' : undefined} href={`#${p.id}`}>
              {t(p.label)}
            </a>
          ))}
        </nav>
        <div className="topbar-right">
          <ProjectPicker />
          {info && (
            <span className="muted" title={`${t('app.workspace')}: ${info.home}`} data-testid="connection">
              {t(info.transport === 'web' ? 'app.connection.web' : 'app.connection.electron')} · v{info.version}
            </span>
          )}
          <label className="select-label">
            <span className="visually-hidden">{t('app.language')}</span>
            <select aria-label={t('app.language')} value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
              {LANGUAGES.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.label}
                </option>
              ))}
            </select>
          </label>
        </div>
      </header>
      {connectionError && <ErrorBanner message={connectionError} />}
      {dragging && (
        <div className="drop-overlay" role="status">
          {t('drop.overlay')}
        </div>
      )}
      <main className="content" tabIndex={-1}>
        <PageErrorBoundary key={route} title={t('app.pageError.title')} hint={t('app.pageError.hint')} reloadLabel={t('app.pageError.reload')}>
          <Page />
        </PageErrorBoundary>
      </main>
    </div>
  );
}
