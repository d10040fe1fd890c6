// Train: the new-run form and, once a run starts (or one is already running), its live dashboard.
import { useEffect, useState } from 'react';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { NeedProject } from '../components/NeedProject.js';
import { useT } from '../i18n/use-t.js';
import { useLathe } from '../store/bound-store.js';
import { projectsSelectors } from '../store/projects/selectors.js';
import { runsSelectors } from '../store/runs/selectors.js';
import { RunDashboard } from './train/RunDashboard.js';
import { TrainForm } from './train/TrainForm.js';

export function TrainPage() {
  const t = useT();
  const project = useLathe(projectsSelectors.selected);
  const active = useLathe(runsSelectors.active);
  const inProgress = useLathe(runsSelectors.inProgress);
  const error = useLathe(runsSelectors.error);
  const clearError = useLathe((s) => s.clearRunsError);
  const loadRuns = useLathe((s) => s.loadRuns);
  const loadDatasets = useLathe((s) => s.loadDatasets);
  const openRun = useLathe((s) => s.openRun);
  const [showForm, setShowForm] = useState(false);

  useEffect(() => {
    if (!project) return;
    void loadRuns(project.id);
    void loadDatasets(project.id);
  }, [project, loadRuns, loadDatasets]);
  // A run already in progress is what this page shows first.
  useEffect(() => {
    if (!active && inProgress) void openRun(inProgress.id);
  }, [active, inProgress, openRun]);

  if (!project) return <NeedProject />;
  const watching = active && active.projectId === project.id ? active : undefined;
  return (
    <section className="page" aria-labelledby="train-heading">
      <header className="page-header">
        <h1 id="train-heading">{t('train.heading')}</h1>
        {watching && (
          <button type="button" className="secondary" onClick={() => setShowForm((v) => !v)}>
            {showForm ? t('train.hideForm') : t('train.newRun')}
          </button>
        )}
      </header>
      {error && <ErrorBanner message={error} onDismiss={clearError} />}
      {watching && <RunDashboard run={watching} />}
      {(!watching || showForm) && (
        <div style={{ marginTop: watching ? 16 : 0 }}>
          {!watching && <p className="muted">{t('train.intro')}</p>}
          <TrainForm projectId={project.id} disabled={false} />
          {inProgress && <p className="muted">{t('train.busy')}</p>}
        </div>
      )}
    </section>
  );
}
