// Export: a run's adapter → the chosen formats (adapter, merged model, GGUF, Ollama, ONNX), dtype, quantisation,
// shard size and destination; each export's progress, its verification, and where the files are.
import { useEffect, useMemo, useState } from 'react';
import type { ExportDtype, ExportFormat, ExportJobDto, ExportQuant, StartExportRequest } from '../../../preload/contract/exports.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { NeedProject } from '../components/NeedProject.js';
import { PathInput } from '../components/PathInput.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { formatBytes } from '../components/eta.js';
import { useMainMessage } from '../i18n/main-message.js';
import { useT } from '../i18n/use-t.js';
import { dialogsService } from '../services/dialogs.js';
import { useLathe } from '../store/bound-store.js';
import { exportsSelectors } from '../store/exports/selectors.js';
import { projectsSelectors } from '../store/projects/selectors.js';
import { runsSelectors } from '../store/runs/selectors.js';

const FORMATS: readonly ExportFormat[] = ['peft', 'merged', 'gguf', 'ollama', 'onnx'];
const DTYPES: readonly ExportDtype[] = ['bf16', 'f16', 'f32'];
// ONNX runtimes widely take f16 and f32 initializers; bf16 is offered last (fewer runtimes load it).
const ONNX_DTYPES: readonly ExportDtype[] = ['f16', 'f32', 'bf16'];
const QUANTS: readonly ExportQuant[] = ['q8_0', 'q4_k_m', 'q4_0', 'f16', 'bf16', 'f32'];

/** `#export?run=7` preselects run 7 (the Runs page links here that way). */
function runFromHash(): number | undefined {
  const m = /[?&]run=(\d+)/.exec(globalThis.location.hash);
  return m ? Number(m[1]) : undefined;
}

export function ExportPage() {
  const t = useT();
  const project = useLathe(projectsSelectors.selected);
  const runs = useLathe(runsSelectors.list);
  const jobs = useLathe(exportsSelectors.jobs);
  const kept = useLathe(exportsSelectors.list);
  const error = useLathe(exportsSelectors.error);
  const running = useLathe(exportsSelectors.running);
  const loadRuns = useLathe((s) => s.loadRuns);
  const loadExports = useLathe((s) => s.loadExports);
  const startExports = useLathe((s) => s.startExports);
  const cancelExport = useLathe((s) => s.cancelExport);
  const removeExport = useLathe((s) => s.removeExport);
  const watchExports = useLathe((s) => s.watchExports);
  const clearError = useLathe((s) => s.clearExportsError);
  const exportable = useMemo(() => runs.filter((r) => r.adapterDir && ['completed', 'interrupted', 'failed'].includes(r.status)), [runs]);
  const [runId, setRunId] = useState<number | undefined>(runFromHash);
  const [formats, setFormats] = useState<ReadonlySet<ExportFormat>>(new Set(['peft', 'gguf']));
  const [dtype, setDtype] = useState<ExportDtype>('bf16');
  const [onnxDtype, setOnnxDtype] = useState<ExportDtype>('f16');
  const [quant, setQuant] = useState<ExportQuant>('q8_0');
  const [shard, setShard] = useState('5GB');
  const [dest, setDest] = useState('');
  const [verify, setVerify] = useState(true);
  const [busy, setBusy] = useState(false);

  useEffect(() => watchExports(), [watchExports]);
  useEffect(() => {
    if (!project) return;
    void loadRuns(project.id);
    void loadExports(project.id);
  }, [project, loadRuns, loadExports]);
  useEffect(() => {
    if ((runId === undefined || !exportable.some((r) => r.id === runId)) && exportable[0]) setRunId(exportable[0].id);
  }, [exportable, runId]);

  if (!project) return <NeedProject />;
  const shardOk = /^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?\s*$/i.test(shard);
  const requests = (): StartExportRequest[] =>
    FORMATS.filter((f) => formats.has(f)).map((format) => ({
      runId: runId!,
      format,
      verify,
      ...(format === 'merged' ? { dtype } : {}),
      ...(format === 'onnx' ? { dtype: onnxDtype } : {}),
      ...(format === 'gguf' || format === 'ollama' ? { quant } : {}),
      ...(format === 'merged' && shard.trim() ? { shardSize: shard.trim() } : {}),
      ...(dest.trim() ? { out: `${dest.trim().replace(/[\\/]+$/, '')}${dest.includes('\\') ? '\\' : '/'}${format}` } : {}),
    }));

  return (
    <section className="page" aria-labelledby="export-heading">
      <header className="page-header">
        <h1 id="export-heading">{t('export.heading')}</h1>
      </header>
      {error && <ErrorBanner message={error} onDismiss={clearError} />}
      {exportable.length === 0 ? (
        <div className="empty-state">
          <h2>{t('export.empty.title')}</h2>
          <p>{t('export.empty.body')}</p>
          <a className="button-link" href="#train">
            {t('runs.newRun')}
          </a>
        </div>
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (runId === undefined || formats.size === 0) return;
            setBusy(true);
            void startExports(project.id, requests()).finally(() => setBusy(false));
          }}
          data-testid="export-form"
        >
          <div className="panel">
            <div className="form-grid">
              <Field label={t('export.run')} help={t('export.runHelp')}>
                <select value={runId ?? ''} onChange={(e) => setRunId(Number(e.target.value))}>
                  {exportable.map((r) => (
                    <option key={r.id} value={r.id}>
                      {r.name} · {t(`runs.status.${r.status}`)}
                      {r.lastLoss !== null ? ` · ${t('projects.overview.loss', { loss: r.lastLoss.toFixed(3) })}` : ''}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label={t('export.dest')} help={t('export.destHelp')}>
                <PathInput kind="folder" value={dest} onChange={setDest} browseLabel={t('common.browse')} placeholder={t('export.destDefault')} />
              </Field>
            </div>
            <fieldset className="formats">
              <legend className="label">{t('export.formats')}</legend>
              {FORMATS.map((f) => (
                <label key={f} className="method-option">
                  <input
                    type="checkbox"
                    checked={formats.has(f)}
                    onChange={(e) => {
                      const next = new Set(formats);
                      if (e.target.checked) next.add(f);
                      else next.delete(f);
                      setFormats(next);
                    }}
                  />
                  <span>
                    <strong>{t(`export.format.${f}`)}</strong>
                    <span className="help muted">{t(`export.format.${f}.help`)}</span>
                  </span>
                </label>
              ))}
            </fieldset>
            <div className="form-grid" style={{ marginTop: 12 }}>
              <Field label={t('export.dtype')} help={t('export.dtypeHelp')}>
                <select value={dtype} onChange={(e) => setDtype(e.target.value as ExportDtype)} disabled={!formats.has('merged')}>
                  {DTYPES.map((d) => (
                    <option key={d} value={d}>
                      {d}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label={t('export.onnxDtype')} help={t('export.onnxDtypeHelp')}>
                <select value={onnxDtype} onChange={(e) => setOnnxDtype(e.target.value as ExportDtype)} disabled={!formats.has('onnx')}>
                  {ONNX_DTYPES.map((d) => (
                    <option key={d} value={d}>
                      {d}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label={t('export.quant')} help={t('export.quantHelp')}>
                <select value={quant} onChange={(e) => setQuant(e.target.value as ExportQuant)} disabled={!formats.has('gguf') && !formats.has('ollama')}>
                  {QUANTS.map((q) => (
                    <option key={q} value={q}>
                      {q}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label={t('export.shard')} help={shardOk ? t('export.shardHelp') : t('export.shardBad')}>
                <input value={shard} onChange={(e) => setShard(e.target.value)} disabled={!formats.has('merged')} aria-invalid={!shardOk} />
              </Field>
              <div className="field">
                <span className="label">{t('export.verify')}</span>
                <label className="check">
                  <input type="checkbox" checked={verify} onChange={(e) => setVerify(e.target.checked)} />
                  {t('export.verifyLabel')}
                </label>
                <span className="help">{t('export.verifyHelp')}</span>
              </div>
            </div>
            <div className="row end" style={{ marginTop: 12 }}>
              <button type="submit" disabled={busy || formats.size === 0 || runId === undefined || (formats.has('merged') && !shardOk)}>
                {busy ? t('common.working') : t('export.start', { count: formats.size })}
              </button>
            </div>
          </div>
          {jobs.length > 0 && (
            <div className="panel stack" data-testid="export-jobs">
              <h2>{t('export.jobs')}</h2>
              {jobs.map((j) => (
                <JobView key={j.jobId} job={j} onCancel={running?.jobId === j.jobId ? () => void cancelExport(j.jobId) : undefined} />
              ))}
            </div>
          )}
        </form>
      )}
      {kept.length > 0 && (
        <div className="panel" style={{ marginTop: 16 }}>
          <h2>{t('export.kept')}</h2>
          <table className="simple">
            <thead>
              <tr>
                <th>{t('export.col.format')}</th>
                <th>{t('export.col.path')}</th>
                <th className="num">{t('export.col.size')}</th>
                <th>{t('export.col.checks')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {kept.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">{t(`export.format.${(FORMATS as readonly string[]).includes(e.format) ? (e.format as ExportFormat) : 'peft'}`)}</td>
                  <td className="mono break-anywhere">{e.path}</td>
                  <td className="num">{formatBytes(e.bytes)}</td>
                  <td className="nowrap">
                    <span className={`badge ${e.verification.every((v) => v.passed || v.skipped) ? 'ok' : 'error'}`}>
                      {t('export.checksPassed', { passed: e.verification.filter((v) => v.passed).length, total: e.verification.length })}
                    </span>
                  </td>
                  <td className="nowrap">
                    <FolderButton path={e.path} />{' '}
                    <button type="button" className="danger" onClick={() => globalThis.confirm(t('export.removeConfirm', { path: e.path })) && void removeExport(e.id)}>
                      {t('runs.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function JobView({ job, onCancel }: { job: ExportJobDto; onCancel: (() => void) | undefined }) {
  const t = useT();
  const mainMessage = useMainMessage();
  // Main's progress notes ("Merging model.layers.3…") are English only: other languages get the translated stage.
  const english = useLathe((s) => s.language === 'en');
  const ended = job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled';
  return (
    <div className="problem-group" data-testid="export-job">
      <div className="row">
        <strong>{t(`export.format.${job.format}`)}</strong>
        <span className={`badge ${job.status === 'completed' ? 'ok' : job.status === 'failed' ? 'error' : job.status === 'cancelled' ? 'paused' : 'running'}`}>{t(`export.status.${job.status}`)}</span>
        <span className="spacer" />
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
      {!ended && <ProgressBar label={t('export.progress', { format: job.format })} done={Math.round(job.fraction * 1000)} total={1000} detail={english && job.message ? job.message : t('export.progressDetail', { status: t(`export.status.${job.status}`), percent: Math.round(job.fraction * 100) })} />}
      {job.error && <p className="banner banner-error">{job.error.message}</p>}
      {job.result && (
        <div className="stack">
          <div className="row">
            <span className="mono">{job.result.out}</span>
            <FolderButton path={job.result.out} />
          </div>
          <ul className="plain-list">
            {job.result.verification.map((v) => (
              <li key={v.check} className="row" style={{ flexWrap: 'nowrap', alignItems: 'flex-start' }}>
                <span className={`badge ${v.passed ? 'ok' : v.skipped ? 'paused' : 'error'}`}>{v.passed ? t('export.check.passed') : v.skipped ? t('export.check.skipped') : t('export.check.failed')}</span>
                <span>
                  <strong>{mainMessage({ code: v.checkCode, message: v.check })}</strong>{' '}
                  <span className="muted">{mainMessage({ code: v.code, params: v.params, message: v.detail })}</span>
                </span>
              </li>
            ))}
          </ul>
          <details>
            <summary>{t('export.files', { count: job.result.files.length, size: formatBytes(job.result.files.reduce((a, f) => a + f.bytes, 0)) })}</summary>
            <ul>
              {job.result.files.map((f) => (
                <li key={f.path} className="mono">
                  {f.path} <span className="muted">({formatBytes(f.bytes)})</span>
                </li>
              ))}
            </ul>
          </details>
        </div>
      )}
    </div>
  );
}

/** In the desktop app: show the folder in the file manager. In a browser the folder is on the server: copy its path. */
function FolderButton({ path }: { path: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  if (dialogsService.available()) {
    return (
      <button type="button" className="secondary" onClick={() => void dialogsService.reveal(path)}>
        {t('export.openFolder')}
      </button>
    );
  }
  return (
    <button
      type="button"
      className="secondary"
      onClick={() =>
        void navigator.clipboard?.writeText(path).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        })
      }
    >
      {copied ? t('export.copied') : t('export.copyPath')}
    </button>
  );
}
