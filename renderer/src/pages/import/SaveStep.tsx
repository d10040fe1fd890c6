// Wizard step 5: the import running (bytes read, rows, ETA, cancel), then what was saved and where to go next.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ProgressBar } from '../../components/ProgressBar.js';
import { useFormat } from '../../i18n/use-format.js';
import { useT } from '../../i18n/use-t.js';
import { useLathe } from '../../store/bound-store.js';

export function SaveStep() {
  const t = useT();
  const f = useFormat();
  const { job, result, busy } = useLathe(useShallow((s) => ({ job: s.importJob, result: s.importResult, busy: s.importBusy })));
  const cancel = useLathe((s) => s.cancelImport);
  const reset = useLathe((s) => s.resetImport);
  const openDataset = useLathe((s) => s.openDataset);
  const usePreviewDataset = useLathe((s) => s.usePreviewDataset);
  const goTo = useLathe((s) => s.goToImportStep);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (busy !== 'save') return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [busy]);
  if (!job) return null;
  const elapsed = (now - job.startedAt) / 1000;
  return (
    <div className="stack">
      <div className="panel" data-testid="import-progress">
        <h2>{t(`import.phase.${job.phase}`)}</h2>
        <ProgressBar
          label={t('import.save.progress')}
          done={job.phase === 'done' ? 1 : job.bytesRead}
          total={job.phase === 'done' ? 1 : job.totalBytes || undefined}
          elapsedS={busy === 'save' ? elapsed : undefined}
          detail={t('import.save.rowsRead', { rows: f.num(result?.rows ?? job.rows) })}
          etaLabel={(eta) => t('common.eta', { eta })}
        />
        {busy === 'save' && (
          <div className="row end">
            <button type="button" className="secondary" onClick={() => void cancel()}>
              {t('common.cancel')}
            </button>
          </div>
        )}
        {job.phase === 'cancelled' && (
          <div className="row end">
            <button type="button" onClick={() => goTo('validate')}>
              {t('common.back')}
            </button>
          </div>
        )}
      </div>
      {result && (
        <div className="panel" data-testid="import-result">
          <h2>{t('import.result.title', { name: result.dataset.name })}</h2>
          <p>
            {t('import.result.body', { rows: f.num(result.rows), skipped: f.num(result.skipped) })}
            {result.encoding ? ` · ${result.encoding}` : ''}
            {result.sheet ? ` · ${result.sheet}` : ''}
          </p>
          <div className="row">
            <a
              href="#data"
              className="button-link"
              onClick={() => {
                openDataset(result.dataset.id);
              }}
            >
              {t('import.result.open')}
            </a>
            <a href="#preview" className="button-link secondary" onClick={() => void usePreviewDataset(result.dataset.id)}>
              {t('import.result.preview')}
            </a>
            <button type="button" className="secondary" onClick={reset}>
              {t('import.result.another')}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
