// The selected project at a glance on the home page: its datasets, runs and exports, each list saying what to do
// next when it is empty, with links into the workflow.
import { useEffect, type ReactNode } from 'react';
import type { ProjectDto } from '../../../preload/contract/index.js';
import { useFormat } from '../i18n/use-format.js';
import { useT } from '../i18n/use-t.js';
import { useLathe } from '../store/bound-store.js';
import { formatBytes } from './eta.js';

const SHOWN = 6;
const FORMAT_NAMES = ['peft', 'merged', 'gguf', 'ollama', 'onnx'] as const;
const isFormat = (f: string): f is (typeof FORMAT_NAMES)[number] => (FORMAT_NAMES as readonly string[]).includes(f);

export function ProjectOverview({ project }: { project: ProjectDto }) {
  const t = useT();
  const f = useFormat();
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
      <OverviewPanel title={t('projects.overview.datasets')} link="#import" linkLabel={t('data.import')} empty={t('projects.overview.noDatasets')} items={datasets}>
        {(d) => (
          <a href="#data" className="list-item" onClick={() => openDataset(d.id)}>
            <span className="card-title">{d.name}</span>
            <span className="card-meta">{t('data.meta', { rows: f.num(d.rowCount), shape: d.sourceName })}</span>
          </a>
        )}
      </OverviewPanel>
      <OverviewPanel title={t('projects.overview.runs')} link="#train" linkLabel={t('runs.newRun')} empty={t('projects.overview.noRuns')} items={runs}>
        {(r) => (
          <a href="#runs" className="list-item">
            <span className="card-title">
              {r.name} <span className={`badge ${r.status}`}>{t(`runs.status.${r.status}`)}</span>
            </span>
            <span className="card-meta">{r.lastLoss !== null ? t('projects.overview.loss', { loss: f.num(r.lastLoss, 3) }) : f.dateTime(r.createdAt)}</span>
          </a>
        )}
      </OverviewPanel>
      <OverviewPanel title={t('projects.overview.exports')} link="#export" linkLabel={t('nav.export')} empty={t('projects.overview.noExports')} items={exportsList}>
        {(e) => (
          <a href="#export" className="list-item">
            <span className="card-title">{isFormat(e.format) ? t(`export.format.${e.format}`) : e.format}</span>
            <span className="card-meta mono">
              {formatBytes(e.bytes)} · {e.path}
            </span>
          </a>
        )}
      </OverviewPanel>
    </section>
  );
}

/** One list of the overview: a heading with the link that starts the next step, the first items, or what to do when empty. */
function OverviewPanel<T extends { readonly id: number }>(props: {
  title: string;
  link: string;
  linkLabel: string;
  empty: string;
  items: readonly T[] | undefined;
  children: (item: T) => ReactNode;
}) {
  return (
    <div className="panel">
      <div className="row">
        <h2 style={{ margin: 0 }}>{props.title}</h2>
        <span className="spacer" />
        <a href={props.link}>{props.linkLabel}</a>
      </div>
      {props.items && props.items.length === 0 && <p className="muted">{props.empty}</p>}
      <ul className="plain-list">
        {props.items?.slice(0, SHOWN).map((item) => (
          <li key={item.id}>{props.children(item)}</li>
        ))}
      </ul>
    </div>
  );
}
