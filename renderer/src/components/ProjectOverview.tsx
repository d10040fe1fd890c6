// The selected project at a glance on the home page: its datasets, runs and exports, each list saying what to do
// next when it is empty, with links into the workflow.
import { useEffect } from 'react';
import type { ProjectDto } from '../../../preload/contract/index.js';
import { useT } from '../i18n/use-t.js';
import { useLathe } from '../store/bound-store.js';
import { formatBytes } from './eta.js';

const SHOWN = 6;

export function ProjectOverview({ project }: { project: ProjectDto }) {
  const t = useT();
  const datasets = useLathe((s) => (s.datasetsProjectId === project.id ? s.datasets : undefined));
  const runs = useLathe((s) => (s.runsProjectId === project.id ? s.runs : undefined));
  const exportsList = useLathe((s) => (s.exportsProjectId === project.id ? s.exportsList : undefined));
  const loadDatasets = useLathe((s) => s.loadDatasets);
  const loadRuns = useLathe((s) => s.loadRuns);
  const loadExports = useLathe((s) => s.loadExports);
  const openDataset = useLathe((s) => s.openDataset);

  useEffect(() => {
    void loadDatasets(project.id);
    void loadRuns(project.id);
    void loadExports(project.id);
  }, [project.id, project.updatedAt, project.datasetCount, loadDatasets, loadRuns, loadExports]);

  return (
    <section className="overview" aria-label={t('projects.overview', { name: project.name })} data-testid="project-overview">
      <div className="panel">
        <div className="row">
          <h2 style={{ margin: 0 }}>{t('projects.overview.datasets')}</h2>
          <span className="spacer" />
          <a href="#import">{t('data.import')}</a>
        </div>
        {datasets && datasets.length === 0 && <p className="muted">{t('projects.overview.noDatasets')}</p>}
        <ul className="plain-list">
          {datasets?.slice(0, SHOWN).map((d) => (
            <li key={d.id}>
              <a href="#data" className="list-item" onClick={() => openDataset(d.id)}>
                <span className="card-title">{d.name}</span>
                <span className="card-meta">{t('data.meta', { rows: d.rowCount.toLocaleString(), shape: d.sourceName })}</span>
              </a>
            </li>
          ))}
        </ul>
      </div>
      <div className="panel">
        <div className="row">
          <h2 style={{ margin: 0 }}>{t('projects.overview.runs')}</h2>
          <span className="spacer" />
          <a href="#train">{t('runs.newRun')}</a>
        </div>
        {runs && runs.length === 0 && <p className="muted">{t('projects.overview.noRuns')}</p>}
        <ul className="plain-list">
          {runs?.slice(0, SHOWN).map((r) => (
            <li key={r.id}>
              <a href="#runs" className="list-item">
                <span className="card-title">
                  {r.name} <span className={`badge ${r.status}`}>{t(`runs.status.${r.status}`)}</span>
                </span>
                <span className="card-meta">{r.lastLoss !== null ? t('projects.overview.loss', { loss: r.lastLoss.toFixed(3) }) : new Date(r.createdAt).toLocaleString()}</span>
              </a>
            </li>
          ))}
        </ul>
      </div>
      <div className="panel">
        <div className="row">
          <h2 style={{ margin: 0 }}>{t('projects.overview.exports')}</h2>
          <span className="spacer" />
          <a href="#export">{t('nav.export')}</a>
        </div>
        {exportsList && exportsList.length === 0 && <p className="muted">{t('projects.overview.noExports')}</p>}
        <ul className="plain-list">
          {exportsList?.slice(0, SHOWN).map((e) => (
            <li key={e.id}>
              <a href="#export" className="list-item">
                <span className="card-title">{e.format}</span>
                <span className="card-meta mono">
                  {formatBytes(e.bytes)} · {e.path}
                </span>
              </a>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
