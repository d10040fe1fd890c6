// Datasets of the current project: the list, and the open dataset as a virtualised table with search, filters,
// row exclusion and editing, the train/validation split and export to LLaMA-Factory files.
import { useEffect } from 'react';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { NeedProject } from '../components/NeedProject.js';
import { useFormat } from '../i18n/use-format.js';
import { useT } from '../i18n/use-t.js';
import { datasetsService } from '../services/datasets.js';
import { useLathe } from '../store/bound-store.js';
import { datasetsSelectors } from '../store/datasets/selectors.js';
import { projectsSelectors } from '../store/projects/selectors.js';
import { DatasetView } from './data/DatasetView.js';

export function DataPage() {
  const t = useT();
  const f = useFormat();
  const project = useLathe(projectsSelectors.selected);
  const datasets = useLathe(datasetsSelectors.list);
  const status = useLathe(datasetsSelectors.status);
  const error = useLathe(datasetsSelectors.error);
  const open = useLathe(datasetsSelectors.open);
  const load = useLathe((s) => s.loadDatasets);
  const openDataset = useLathe((s) => s.openDataset);
  const clearError = useLathe((s) => s.clearDatasetsError);
  const projectId = project?.id;

  useEffect(() => {
    if (projectId === undefined) return;
    void load(projectId);
    return datasetsService.onChanged(() => void load(projectId));
  }, [projectId, load]);

  return (
    <section className="page" aria-labelledby="data-heading">
      <header className="page-header">
        <h1 id="data-heading">{t('data.heading')}</h1>
        {project && (
          <a className="button-link" href="#import">
            {t('data.import')}
          </a>
        )}
      </header>
      {error && <ErrorBanner message={error} onDismiss={clearError} />}
      {!project ? (
        <NeedProject />
      ) : status === 'ready' && datasets.length === 0 ? (
        <div className="empty-state">
          <h2>{t('data.empty.title')}</h2>
          <p>{t('data.empty.body')}</p>
          <a className="button-link" href="#import">
            {t('data.import')}
          </a>
        </div>
      ) : (
        <div className="grid-side">
          <nav className="panel" aria-label={t('data.list')}>
            <ul className="plain-list" data-testid="dataset-list">
              {datasets.map((d) => (
                <li key={d.id}>
                  <button type="button" className={`list-item${d.id === open?.id ? ' selected' : ''}`} aria-current={d.id === open?.id} onClick={() => openDataset(d.id)}>
                    <span className="card-title">{d.name}</span>
                    <span className="card-meta">{t('data.meta', { rows: f.num(d.rowCount), shape: t(`import.shape.${shapeOf(d.shape)}`) })}</span>
                  </button>
                </li>
              ))}
            </ul>
          </nav>
          {open ? <DatasetView key={open.id} dataset={open} /> : <p className="muted">{t('common.loading')}</p>}
        </div>
      )}
    </section>
  );
}

function shapeOf(s: string): 'single' | 'conversation' | 'preference' | 'text' {
  return s === 'conversation' || s === 'preference' || s === 'text' ? s : 'single';
}
