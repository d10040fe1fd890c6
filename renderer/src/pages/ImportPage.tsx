// The import wizard: file → how it is read → field mapping with live preview → validation → save with progress.
// LLaMA-Factory data folders import from the first step too. Every step can be revisited from the stepper.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { FileDropZone } from '../components/FileDropZone.js';
import { NeedProject } from '../components/NeedProject.js';
import { PathInput } from '../components/PathInput.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { Stepper } from '../components/Stepper.js';
import { useMainMessage } from '../i18n/main-message.js';
import { useT } from '../i18n/use-t.js';
import { useLathe } from '../store/bound-store.js';
import { IMPORT_STEPS } from '../store/importer/initialState.js';
import { importerSelectors } from '../store/importer/selectors.js';
import { projectsSelectors } from '../store/projects/selectors.js';
import { MappingStep } from './import/MappingStep.js';
import { SourceStep } from './import/SourceStep.js';
import { ValidateStep } from './import/ValidateStep.js';
import { SaveStep } from './import/SaveStep.js';

export function ImportPage() {
  const t = useT();
  const project = useLathe(projectsSelectors.selected);
  const loadProjects = useLathe((s) => s.loadProjects);
  const { step, reachable, busy, error, uploadProgress } = useLathe(
    useShallow((s) => ({ step: importerSelectors.stepIndex(s), reachable: importerSelectors.reachable(s), busy: s.importBusy, error: s.importError, uploadProgress: s.uploadProgress })),
  );
  const goTo = useLathe((s) => s.goToImportStep);
  const importFromFile = useLathe((s) => s.importFromFile);
  const cancel = useLathe((s) => s.cancelImport);
  const reset = useLathe((s) => s.resetImport);
  const clearError = useLathe((s) => s.clearImportError);
  const saved = useLathe((s) => s.importResult !== undefined);

  useEffect(() => {
    void loadProjects();
  }, [loadProjects]);

  const steps = IMPORT_STEPS.map((s) => t(`import.step.${s}`));
  return (
    <section className="page" aria-labelledby="import-heading">
      <header className="page-header">
        <h1 id="import-heading">{t('import.heading')}</h1>
        {step > 0 && (
          <button type="button" className="secondary" onClick={reset}>
            {t('import.startOver')}
          </button>
        )}
      </header>
      {!project ? (
        <NeedProject />
      ) : (
        <>
          <Stepper label={t('import.heading')} steps={steps} current={saved ? steps.length : step} reachable={Math.max(reachable, step)} onStep={(i) => goTo(IMPORT_STEPS[i]!)} />
          {error && <ErrorBanner message={error} onDismiss={clearError} />}
          {step === 0 && (
            <div className="stack">
              {busy === 'upload' ? (
                <div className="panel">
                  <ProgressBar label={t('import.uploading')} done={Math.round((uploadProgress ?? 0) * 100)} total={100} detail={t('import.uploading')} />
                  <div className="row end">
                    <button type="button" className="secondary" onClick={() => void cancel()}>
                      {t('common.cancel')}
                    </button>
                  </div>
                </div>
              ) : (
                <FileDropZone
                  title={t('import.drop.title')}
                  hint={t('import.drop.hint')}
                  chooseLabel={t('import.drop.choose')}
                  accept=".csv,.tsv,.txt,.xlsx,.xls,.json,.jsonl,.parquet"
                  onFile={(f) => void importFromFile(f)}
                />
              )}
              <FolderImport projectId={project.id} />
            </div>
          )}
          {step === 1 && <SourceStep />}
          {step === 2 && <MappingStep />}
          {step === 3 && <ValidateStep projectId={project.id} />}
          {step === 4 && <SaveStep />}
        </>
      )}
    </section>
  );
}

function FolderImport({ projectId }: { projectId: number }) {
  const t = useT();
  const tm = useMainMessage();
  const [dir, setDir] = useState('');
  const busy = useLathe((s) => s.importBusy === 'folder');
  const result = useLathe((s) => s.folderResult);
  const importFolder = useLathe((s) => s.importLlamaFactoryFolder);
  const loadDatasets = useLathe((s) => s.loadDatasets);
  return (
    <div className="panel">
      <h2>{t('import.folder.title')}</h2>
      <p className="muted">{t('import.folder.body')}</p>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (dir.trim()) void importFolder(projectId, dir.trim()).then((ok) => (ok ? loadDatasets(projectId) : undefined));
        }}
      >
        <div style={{ flex: 1 }}>
          <PathInput kind="folder" aria-label={t('import.folder.path')} placeholder={t('import.folder.placeholder')} value={dir} onChange={setDir} browseLabel={t('common.browse')} />
        </div>
        <button type="submit" disabled={!dir.trim() || busy}>
          {busy ? t('common.working') : t('import.folder.submit')}
        </button>
      </form>
      {result && (
        <div className="stack" style={{ marginTop: 12 }} data-testid="folder-result">
          {result.imported.length > 0 && (
            <p>
              {t('import.folder.imported', { count: result.imported.length })}{' '}
              {result.imported.map((i) => `${i.entry} (${i.rows})`).join(', ')} · <a href="#data">{t('import.openData')}</a>
            </p>
          )}
          {result.skipped.map((s) => (
            <p key={s.entry} className="muted">
              {t('import.folder.skipped', { entry: s.entry, reason: tm({ code: s.code, params: s.params, message: s.reason }) })}
            </p>
          ))}
        </div>
      )}
    </div>
  );
}
