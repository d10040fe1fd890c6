// Prompt preview: the model (folder → model card with VRAM estimate), the template (automatic choice and its
// warnings), cutoff/train_on_prompt/mask_history, then each record exactly as it will be trained — trained and
// masked spans, special tokens, token ids on hover, counts, truncation — and the length histogram of the whole
// dataset (computed in main with progress and cancel), from which "jump to the longest" opens the longest record.
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { CheckField, Field } from '../components/Field.js';
import { LineChart, type LineChartHandle } from '../components/LineChart.js';
import { NeedProject } from '../components/NeedProject.js';
import { NumberJumpForm } from '../components/NumberJumpForm.js';
import { PathInput } from '../components/PathInput.js';
import { LibraryModelPick } from '../components/LibraryModelPick.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { TokenSpans } from '../components/TokenSpans.js';
import { useMainMessage } from '../i18n/main-message.js';
import { useT } from '../i18n/use-t.js';
import { useLathe } from '../store/bound-store.js';
import { datasetsSelectors } from '../store/datasets/selectors.js';
import { previewSelectors } from '../store/preview/selectors.js';
import { projectsSelectors } from '../store/projects/selectors.js';
import { ModelCard } from './preview/ModelCard.js';

export function PreviewPage() {
  const t = useT();
  const tm = useMainMessage();
  const project = useLathe(projectsSelectors.selected);
  const datasets = useLathe(datasetsSelectors.list);
  const loadDatasets = useLathe((s) => s.loadDatasets);
  const st = useLathe(
    useShallow((s) => ({
      modelPath: s.modelPath,
      card: s.modelCard,
      modelBusy: s.modelBusy,
      templates: s.templates,
      choice: s.templateChoice,
      proposed: s.proposedTemplate,
      warnings: s.templateWarnings,
      options: s.previewOptions,
      datasetId: s.previewDatasetId,
      rowCount: s.previewRowCount,
      index: s.recordIndex,
      rendered: s.rendered,
      busy: s.previewBusy,
      error: s.previewError,
    })),
  );
  const template = useLathe(previewSelectors.template);
  const longest = useLathe(previewSelectors.longest);
  const a = useLathe(
    useShallow((s) => ({
      loadDefaultModel: s.loadDefaultModel,
      loadModel: s.loadModel,
      chooseTemplate: s.chooseTemplate,
      setOptions: s.setPreviewOptions,
      useDataset: s.usePreviewDataset,
      showRecord: s.showRecord,
      showLongest: s.showLongest,
      clearError: s.clearPreviewError,
    })),
  );
  const [pathDraft, setPathDraft] = useState(st.modelPath);
  const [cutoffDraft, setCutoffDraft] = useState(String(st.options.cutoffLen));

  // Once the project's datasets are loaded: keep previewing the chosen one if it is among them (the import's
  // "Preview prompts" picks the new one), else start from the first.
  useEffect(() => {
    if (!project) return;
    void loadDatasets(project.id).then(() => {
      const s = useLathe.getState();
      const first = s.datasetsProjectId === project.id ? s.datasets[0] : undefined;
      if (first && !s.datasets.some((d) => d.id === s.previewDatasetId)) void s.usePreviewDataset(first.id);
    });
  }, [project, loadDatasets]);
  useEffect(() => {
    void a.loadDefaultModel();
  }, [a]);
  useEffect(() => setPathDraft(st.modelPath), [st.modelPath]);
  if (!project) return <NeedProject />;
  const n = st.rowCount;
  const specials = [st.card?.bosToken, st.card?.eosToken, st.card?.padToken];
  return (
    <section className="page" aria-labelledby="preview-heading">
      <header className="page-header">
        <h1 id="preview-heading">{t('preview.heading')}</h1>
      </header>
      {st.error && <ErrorBanner message={st.error} onDismiss={a.clearError} />}
      <div className="grid-2">
        <div className="panel stack">
          <h2>{t('preview.model')}</h2>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (pathDraft.trim()) void a.loadModel(pathDraft.trim());
            }}
          >
            <Field label={t('preview.model.folder')} help={t('preview.model.folderHelp')}>
              <PathInput kind="folder" value={pathDraft} onChange={setPathDraft} browseLabel={t('common.browse')} />
            </Field>
            <div className="row end" style={{ marginTop: 8 }}>
              <LibraryModelPick value={st.modelPath} onPick={(p) => (setPathDraft(p), void a.loadModel(p))} />
              <button type="submit" disabled={st.modelBusy || !pathDraft.trim() || pathDraft.trim() === st.modelPath}>
                {st.modelBusy ? t('common.working') : t('preview.model.load')}
              </button>
            </div>
          </form>
          {st.card ? <ModelCard card={st.card} /> : <p className="muted">{st.modelBusy ? t('common.loading') : t('preview.model.none')}</p>}
        </div>
        <div className="panel stack">
          <h2>{t('preview.settings')}</h2>
          <div className="form-grid">
            <Field label={t('preview.template')} help={t('preview.templateHelp')}>
              <select value={st.choice ?? ''} onChange={(e) => void a.chooseTemplate(e.target.value || undefined)} data-testid="template-select">
                <option value="">{t('preview.template.auto', { name: st.proposed ?? '…' })}</option>
                {st.templates.map((tp) => (
                  <option key={tp.name} value={tp.name}>
                    {tp.name}
                    {tp.source !== 'builtin' ? ` (${tp.source})` : ''}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('preview.dataset')} help={t('preview.datasetHelp')}>
              <select value={st.datasetId ?? ''} onChange={(e) => void a.useDataset(e.target.value ? Number(e.target.value) : undefined)} disabled={datasets.length === 0}>
                {datasets.length === 0 && <option value="">{t('preview.noDatasets')}</option>}
                {datasets.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('preview.cutoff')} help={t('preview.cutoffHelp')}>
              <input
                type="number"
                min={8}
                step={64}
                value={cutoffDraft}
                onChange={(e) => setCutoffDraft(e.target.value)}
                onBlur={() => {
                  const v = Number(cutoffDraft);
                  if (Number.isInteger(v) && v >= 8 && v !== st.options.cutoffLen) void a.setOptions({ cutoffLen: v });
                }}
                onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
              />
            </Field>
          </div>
          <CheckField label={t('preview.trainOnPrompt')} help={t('preview.trainOnPromptHelp')} checked={st.options.trainOnPrompt} onChange={(v) => void a.setOptions({ trainOnPrompt: v })} />
          <CheckField label={t('preview.maskHistory')} help={t('preview.maskHistoryHelp')} checked={st.options.maskHistory} onChange={(v) => void a.setOptions({ maskHistory: v })} />
          {st.warnings.length > 0 && (
            <div className="banner banner-warn" role="status" data-testid="template-warnings">
              <ul style={{ margin: 0, paddingLeft: 18 }}>
                {st.warnings.map((w) => (
                  <li key={w.message}>{tm(w)}</li>
                ))}
              </ul>
            </div>
          )}
        </div>
      </div>
      {datasets.length === 0 ? (
        <div className="empty-state" style={{ marginTop: 16 }}>
          <h2>{t('preview.empty.title')}</h2>
          <p>{t('preview.empty.body')}</p>
          <a className="button-link" href="#import">
            {t('data.import')}
          </a>
        </div>
      ) : (
        <>
          <div className="panel" style={{ marginTop: 16 }} aria-busy={st.busy !== undefined}>
            <div className="row">
              <h2 style={{ margin: 0 }}>{n > 0 ? t('preview.record', { index: st.index + 1, count: n, template: template ?? '' }) : t('common.loading')}</h2>
              <span className="spacer" />
              <button type="button" className="secondary" onClick={() => void a.showRecord(st.index - 1)} disabled={st.index <= 0} aria-label={t('preview.prev')}>
                ←
              </button>
              <button type="button" className="secondary" onClick={() => void a.showRecord(st.index + 1)} disabled={st.index >= n - 1} aria-label={t('preview.next')}>
                →
              </button>
              <NumberJumpForm label={t('preview.jumpTo')} button={t('preview.go')} max={n} width={80} onJump={(i) => void a.showRecord(i - 1)} />
              <button
                type="button"
                className="secondary"
                onClick={() => void a.showLongest()}
                disabled={!longest}
                title={longest ? t('preview.longestTitle', { row: longest.index + 1, count: longest.fullLength }) : t('preview.longestWaiting')}
              >
                {t('preview.longest')}
              </button>
            </div>
            <div className="legend" style={{ margin: '10px 0' }}>
              <span>
                <span className="swatch trained" />
                {t('preview.legend.trained')}
              </span>
              <span>
                <span className="swatch masked" />
                {t('preview.legend.masked')}
              </span>
              <span>
                <span className="swatch special" />
                {t('preview.legend.special')}
              </span>
              <span>{t('preview.legend.hover')}</span>
            </div>
            {st.rendered ? (
              <>
                <TokenSpans
                  record={st.rendered}
                  specials={specials}
                  label={t('preview.rendered')}
                  cutLabel={t('preview.cut', { cutoff: st.options.cutoffLen })}
                  tokenTitle={(pos, id, trained) => t(trained ? 'preview.tokenTrained' : 'preview.tokenMasked', { pos, id })}
                />
                <div className="token-counts" style={{ marginTop: 8 }} data-testid="token-counts">
                  <span>{t('preview.count.tokens', { count: st.rendered.tokenCount })}</span>
                  <span>{t('preview.count.trained', { count: st.rendered.trainableCount })}</span>
                  <span>{t('preview.count.full', { count: st.rendered.fullLength })}</span>
                  {st.rendered.truncated && <span className="badge low">{t('preview.count.truncated')}</span>}
                  {st.rendered.excluded && <span className="badge low">{t('preview.excluded')}</span>}
                  {!st.rendered.ok && <span className="badge low">{st.rendered.reason ?? t('preview.skipped')}</span>}
                </div>
              </>
            ) : (
              <div className="tokens muted">{st.busy ? t('common.loading') : t('preview.nothing')}</div>
            )}
          </div>
          <LengthPanel />
        </>
      )}
    </section>
  );
}

function LengthPanel() {
  const t = useT();
  const { stats, progress, cancelled } = useLathe(useShallow((s) => ({ stats: s.stats, progress: s.statsProgress, cancelled: s.statsCancelled })));
  const { cancelStats, computeStats, showRecord } = useLathe(useShallow((s) => ({ cancelStats: s.cancelStats, computeStats: s.computeStats, showRecord: s.showRecord })));
  const chart = useRef<LineChartHandle>(null);
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.reset();
    if (!stats) return;
    const { edges, counts } = stats.histogram;
    const pts = counts.map((y, i) => ({ x: edges[i] ?? 0, y }));
    if (edges.length > counts.length) pts.push({ x: edges[counts.length]!, y: counts.at(-1) ?? 0 });
    c.append('count', pts);
    c.setXRange(0, edges.at(-1));
    c.setMarkerX(stats.cutoffLen);
  }, [stats]);
  return (
    <div className="panel" style={{ marginTop: 16 }}>
      <div className="row">
        <h2 style={{ margin: 0 }}>{t('preview.lengths')}</h2>
        <span className="spacer" />
        {stats && (
          <span className={`badge ${stats.truncated > 0 ? 'low' : 'ok'}`} data-testid="truncated-share">
            {t('preview.truncatedShare', { share: (stats.truncatedShare * 100).toFixed(1), count: stats.truncated })}
          </span>
        )}
      </div>
      {progress && (
        <div className="row" style={{ flexWrap: 'nowrap', marginTop: 8 }} data-testid="stats-progress">
          <div style={{ flex: 1 }}>
            <ProgressBar
              label={t('preview.statsRunning')}
              done={progress.done}
              total={progress.total}
              detail={t('preview.statsRows', { done: progress.done.toLocaleString(), total: progress.total.toLocaleString() })}
              elapsedS={(Date.now() - progress.startedAt) / 1000}
              etaLabel={(eta) => t('common.eta', { eta })}
            />
          </div>
          <button type="button" className="secondary" onClick={() => void cancelStats()}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      {cancelled && (
        <div className="row" style={{ marginTop: 8 }}>
          <span className="muted">{t('preview.statsCancelled')}</span>
          <button type="button" className="secondary" onClick={() => void computeStats()}>
            {t('preview.statsCompute')}
          </button>
        </div>
      )}
      {stats && (
        <div className="stats" style={{ margin: '10px 0' }}>
          <Stat name={t('preview.stat.records')} value={stats.records.toLocaleString()} />
          <Stat name={t('preview.stat.mean')} value={Math.round(stats.meanLength).toLocaleString()} />
          <Stat name={t('preview.stat.p95')} value={stats.p95Length.toLocaleString()} />
          <Stat name={t('preview.stat.max')} value={stats.maxFullLength.toLocaleString()} />
          <Stat name={t('preview.stat.trainable')} value={stats.trainableTokens.toLocaleString()} />
          <Stat name={t('preview.stat.steps')} value={stats.stepsPerEpoch.toLocaleString()} />
        </div>
      )}
      <LineChart ref={chart} label={t('preview.lengthsChart')} series={[{ id: 'count', label: t('preview.records'), color: '--accent', fill: true }]} stepped legend={false} xLabel={t('preview.tokensAxis')} yLabel={t('preview.records')} height={220} testId="length-chart" />
      <p className="muted" style={{ marginBottom: 0 }}>
        {t('preview.cutoffLine')}
      </p>
      {stats && stats.longest.length > 0 && (
        <div className="row-links" style={{ marginTop: 8 }} data-testid="longest-records">
          <span className="muted">{t('preview.longestList')}</span>
          {stats.longest.map((l) => (
            <button key={l.index} type="button" className="secondary" onClick={() => void showRecord(l.index)} title={t('preview.longestTitle', { row: l.index + 1, count: l.fullLength })}>
              #{(l.index + 1).toLocaleString()} · {l.fullLength.toLocaleString()}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

function Stat({ name, value }: { name: string; value: string }) {
  return (
    <div className="stat">
      <span className="value">{value}</span>
      <span className="name">{name}</span>
    </div>
  );
}

