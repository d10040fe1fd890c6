// Runs: the project's training history (status, duration, final losses, scores), several runs' loss curves on
// one chart, and a run's predictions next to the references with BLEU-4 and ROUGE.
import { useEffect, useState } from 'react';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { NeedProject } from '../components/NeedProject.js';
import { formatDuration } from '../components/eta.js';
import { useFormat } from '../i18n/use-format.js';
import { useT } from '../i18n/use-t.js';
import { useLathe } from '../store/bound-store.js';
import { projectsSelectors } from '../store/projects/selectors.js';
import { isRunActive, runDurationS, runsSelectors } from '../store/runs/selectors.js';
import { CompareChart } from './runs/CompareChart.js';
import { RunDetail } from './runs/RunDetail.js';

export function RunsPage() {
  const t = useT();
  const f = useFormat();
  const project = useLathe(projectsSelectors.selected);
  const runs = useLathe(runsSelectors.list);
  const status = useLathe(runsSelectors.status);
  const error = useLathe(runsSelectors.error);
  const compareIds = useLathe((s) => s.compareIds);
  const toggleCompare = useLathe((s) => s.toggleCompare);
  const loadRuns = useLathe((s) => s.loadRuns);
  const clearError = useLathe((s) => s.clearRunsError);
  const [openId, setOpenId] = useState<number | undefined>();

  useEffect(() => {
    if (project) void loadRuns(project.id);
  }, [project, loadRuns]);

  if (!project) return <NeedProject />;
  const open = runs.find((r) => r.id === openId);
  return (
    <section className="page" aria-labelledby="runs-heading">
      <header className="page-header">
        <h1 id="runs-heading">{t('runs.heading')}</h1>
        <a className="button-link" href="#train">
          {t('runs.newRun')}
        </a>
      </header>
      {error && <ErrorBanner message={error} onDismiss={clearError} />}
      {status === 'ready' && runs.length === 0 ? (
        <div className="empty-state">
          <h2>{t('runs.empty.title')}</h2>
          <p>{t('runs.empty.body')}</p>
          <a className="button-link" href="#train">
            {t('runs.newRun')}
          </a>
        </div>
      ) : (
        <div className="stack">
          <div className="panel" style={{ overflowX: 'auto' }}>
            <table className="simple" data-testid="runs-table">
              <thead>
                <tr>
                  <th>
                    <span className="visually-hidden">{t('runs.compare')}</span>
                  </th>
                  <th>{t('runs.col.name')}</th>
                  <th>{t('runs.col.status')}</th>
                  <th>{t('runs.col.started')}</th>
                  <th className="num">{t('runs.col.duration')}</th>
                  <th className="num">{t('runs.col.steps')}</th>
                  <th className="num">{t('runs.col.loss')}</th>
                  <th className="num">{t('runs.col.evalLoss')}</th>
                  <th className="num">BLEU-4</th>
                  <th className="num">ROUGE-L</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => {
                  const d = runDurationS(r);
                  return (
                    <tr key={r.id} className={`clickable${r.id === openId ? ' selected' : ''}`} onClick={() => setOpenId(r.id)} data-testid="run-row">
                      <td onClick={(e) => e.stopPropagation()}>
                        <input type="checkbox" checked={compareIds.includes(r.id)} onChange={() => toggleCompare(r.id)} aria-label={t('runs.compareRun', { name: r.name })} />
                      </td>
                      <td>
                        <button type="button" className="link" style={{ color: 'var(--text)', textDecoration: 'none', fontWeight: 600 }} onClick={() => setOpenId(r.id)}>
                          {r.name}
                        </button>
                      </td>
                      <td>
                        <span className={`badge ${r.status}`}>{t(`runs.status.${r.status}`)}</span>
                      </td>
                      <td className="muted">{r.startedAt ? f.dateTime(r.startedAt) : '–'}</td>
                      <td className="num">{d === undefined ? '–' : formatDuration(d)}</td>
                      <td className="num">
                        {r.step}
                        {r.maxSteps ? ` / ${r.maxSteps}` : ''}
                      </td>
                      <td className="num">{r.lastLoss == null ? '–' : f.num(r.lastLoss, 4)}</td>
                      <td className="num">{r.lastEvalLoss == null ? '–' : f.num(r.lastEvalLoss, 4)}</td>
                      <td className="num">{r.scores ? r.scores.bleu4.toFixed(2) : '–'}</td>
                      <td className="num">{r.scores ? r.scores.rougeL.toFixed(2) : '–'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <p className="muted" style={{ marginBottom: 0 }}>
              {compareIds.length === 0 ? t('runs.compareHint') : t('runs.comparing', { count: compareIds.length })}
            </p>
          </div>
          {compareIds.length > 0 && <CompareChart ids={compareIds} />}
          {open && <RunDetail key={open.id} run={open} active={isRunActive(open)} />}
        </div>
      )}
    </section>
  );
}
