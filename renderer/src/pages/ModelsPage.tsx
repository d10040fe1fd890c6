// The Models page: download a base model by name (curated list or typed, from Hugging Face, a mirror or ModelScope)
// with live progress, the local library with checks, repair and removal, adding a folder, and hub access tokens.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { CuratedModelDto, LibraryModelDto } from '../../../preload/contract/index.js';
import { useT } from '../i18n/use-t.js';
import { useLathe } from '../store/bound-store.js';
import { librarySelectors } from '../store/library/selectors.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { CuratedTable } from '../components/library/CuratedTable.js';
import { DownloadList } from '../components/library/DownloadList.js';
import { LibraryTable } from '../components/library/LibraryTable.js';
import { PullForm, type PullDraft } from '../components/library/PullForm.js';
import { TokenSettings } from '../components/library/TokenSettings.js';
import { formatBytes } from '../components/library/format.js';
import '../components/library/library.css';

export function ModelsPage() {
  const t = useT();
  const models = useLathe(librarySelectors.models);
  const status = useLathe(librarySelectors.status);
  const error = useLathe(librarySelectors.error);
  const isEmpty = useLathe(librarySelectors.isEmpty);
  const downloads = useLathe(useShallow(librarySelectors.downloads));
  const curated = useLathe(librarySelectors.curated);
  const matches = useLathe(useShallow(librarySelectors.curatedMatches));
  const search = useLathe(librarySelectors.curatedSearch);
  const tokens = useLathe((s) => s.hubTokens);
  const busy = useLathe((s) => s.libraryBusy);
  const a = useLathe(
    useShallow((s) => ({
      loadLibrary: s.loadLibrary,
      loadCurated: s.loadCurated,
      loadDownloads: s.loadDownloads,
      loadHubTokens: s.loadHubTokens,
      watchLibrary: s.watchLibrary,
      pullModel: s.pullModel,
      cancelDownload: s.cancelDownload,
      dismissDownload: s.dismissDownload,
      checkModel: s.checkModel,
      repairModel: s.repairModel,
      removeModel: s.removeModel,
      addModelFolder: s.addModelFolder,
      setHubToken: s.setHubToken,
      clearHubToken: s.clearHubToken,
      setCuratedSearch: s.setCuratedSearch,
      clearLibraryError: s.clearLibraryError,
    })),
  );
  const [draft, setDraft] = useState<PullDraft>({ name: '', source: 'hf', endpoint: '', revision: '' });
  const [folder, setFolder] = useState('');

  useEffect(() => {
    const off = a.watchLibrary();
    void a.loadLibrary();
    void a.loadDownloads();
    void a.loadCurated();
    void a.loadHubTokens();
    return off;
  }, [a]);

  const pickCurated = (m: CuratedModelDto) => {
    const source = draft.source === 'modelscope' && m.modelscope ? 'modelscope' : 'hf';
    setDraft({ ...draft, source, name: source === 'modelscope' ? m.modelscope! : m.hf });
    globalThis.document?.getElementById('lib-pull-heading')?.scrollIntoView({ behavior: 'smooth' });
  };
  const confirmRemove = (m: LibraryModelDto) => {
    const text = m.managed ? t('library.remove.confirm.managed', { name: m.name, size: formatBytes(m.diskBytes) }) : t('library.remove.confirm.external', { name: m.name });
    if (globalThis.confirm(text)) void a.removeModel(m.id);
  };

  return (
    <section className="page lib-page" aria-labelledby="models-heading">
      <header className="page-header">
        <div>
          <h1 id="models-heading">{t('library.heading')}</h1>
          <p className="muted">{t('library.intro')}</p>
        </div>
      </header>
      {error && <ErrorBanner message={error} onDismiss={a.clearLibraryError} />}
      <PullForm
        draft={draft}
        onChange={setDraft}
        onSubmit={() =>
          void a.pullModel({
            name: draft.name.trim(),
            source: draft.source,
            ...(draft.endpoint.trim() ? { endpoint: draft.endpoint.trim() } : {}),
            ...(draft.revision.trim() ? { revision: draft.revision.trim() } : {}),
          })
        }
      />
      <DownloadList
        downloads={downloads}
        onCancel={(id) => void a.cancelDownload(id)}
        onDismiss={a.dismissDownload}
        onResume={(d) => {
          a.dismissDownload(d.id);
          void a.pullModel({ name: d.name, source: d.source, endpoint: d.endpoint, revision: d.revision });
        }}
      />
      <section className="panel" aria-labelledby="lib-table-heading">
        <h2 id="lib-table-heading">{t('library.table.heading')}</h2>
        {/* Holds the empty state's height while loading, so the panels below do not jump when the list arrives. */}
        <div className="lib-body">
          {status === 'loading' && <p className="muted">{t('common.loading')}</p>}
          {isEmpty && (
            <div className="lib-empty" data-testid="library-empty">
              <h3>{t('library.empty.title')}</h3>
              <p>{t('library.empty.body')}</p>
            </div>
          )}
          {models.length > 0 && <LibraryTable models={models} busy={busy} onCheck={(id, full) => void a.checkModel(id, full)} onRepair={(id) => void a.repairModel(id)} onRemove={confirmRemove} />}
        </div>
        <form
          className="row lib-add"
          onSubmit={(e) => {
            e.preventDefault();
            if (folder.trim()) void a.addModelFolder(folder.trim()).then((ok) => ok && setFolder(''));
          }}
        >
          <label className="lib-field lib-field-grow">
            <span className="lib-label">{t('library.add.heading')}</span>
            <input aria-label={t('library.add.path')} placeholder={t('library.add.placeholder')} value={folder} onChange={(e) => setFolder(e.target.value)} spellCheck={false} />
          </label>
          <button type="submit" className="secondary" disabled={!folder.trim()}>
            {t('library.add.submit')}
          </button>
        </form>
      </section>
      <CuratedTable list={curated} matches={matches} search={search} onSearch={a.setCuratedSearch} onUse={pickCurated} />
      <TokenSettings tokens={tokens} onSave={a.setHubToken} onClear={(s) => void a.clearHubToken(s)} />
    </section>
  );
}
