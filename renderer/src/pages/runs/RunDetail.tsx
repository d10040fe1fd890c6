// One run opened from the history: what it was (config summary), what it produced (scores, adapter), its
// predictions next to the references, and what to do next (watch, export, delete).
import { useEffect, useState } from 'react';
import type { PredictionsResult, RunDetailDto, RunDto } from '../../../../preload/contract/runs.js';
import { useMainMessage } from '../../i18n/main-message.js';
import { useFormat } from '../../i18n/use-format.js';
import { useT } from '../../i18n/use-t.js';
import { useLathe } from '../../store/bound-store.js';
import { runErrorText } from './run-error-text.js';

const PAGE = 20;

export function RunDetail({ run, active }: { run: RunDto; active: boolean }) {
  const t = useT();
  const f = useFormat();
  const tm = useMainMessage();
  const loadPredictions = useLathe((s) => s.loadPredictions);
  const openRun = useLathe((s) => s.openRun);
  const deleteRun = useLathe((s) => s.deleteRun);
  const loadRunDetail = useLathe((s) => s.loadRunDetail);
  const [detail, setDetail] = useState<RunDetailDto | undefined>();
  const [preds, setPreds] = useState<PredictionsResult | undefined>();
  const [offset, setOffset] = useState(0);

  useEffect(() => {
    void loadRunDetail(run.id).then(setDetail);
  }, [run.id, run.status, loadRunDetail]);
  useEffect(() => {
    void loadPredictions(run.id, offset, PAGE).then(setPreds);
  }, [run.id, offset, run.status, loadPredictions]);

  const c = detail?.config;
  const scores = preds?.scores ?? run.scores;
  return (
    <div className="stack" data-testid="run-detail">
      <div className="panel">
        <div className="row">
          <h2 style={{ margin: 0 }}>{run.name}</h2>
          <span className={`badge ${run.status}`}>{t(`runs.status.${run.status}`)}</span>
          <span className="spacer" />
          <a className="button-link secondary" href="#train" onClick={() => void openRun(run.id)}>
            {active ? t('runs.watch') : t('runs.curves')}
          </a>
          {run.adapterDir && !active && (
            <a className="button-link" href={`#export?run=${run.id}`}>
              {t('runs.export')}
            </a>
          )}
          {!active && (
            <button
              type="button"
              className="danger"
              onClick={() => {
                if (globalThis.confirm(t('runs.deleteConfirm', { name: run.name }))) void deleteRun(run.id);
              }}
            >
              {t('runs.delete')}
            </button>
          )}
        </div>
        {run.error && (
          <div className={`banner ${run.status === 'interrupted' ? 'banner-info' : 'banner-error'}`} role={run.status === 'interrupted' ? 'status' : 'alert'}>
            <div>
              <strong>{runErrorText(t, run)}</strong>
              {run.error.hint && <div>{tm({ code: run.error.hintCode, params: run.error.hintParams, message: run.error.hint })}</div>}
            </div>
          </div>
        )}
        {c && (
          <dl className="kv" style={{ gridTemplateColumns: '160px 1fr', marginTop: 12 }}>
            <dt>{t('runs.detail.model')}</dt>
            <dd className="mono">{c.model}</dd>
            <dt>{t('runs.detail.method')}</dt>
            <dd>
              {c.quantizationBit ? t('runs.detail.qlora', { bits: c.quantizationBit }) : 'LoRA'} · r={c.loraRank} · α={c.loraAlpha ?? c.loraRank * 2} · lr={c.learningRate} · {t('runs.detail.epochs', { n: c.numTrainEpochs })}
            </dd>
            <dt>{t('runs.detail.batch')}</dt>
            <dd>
              {t('runs.detail.batchLine', { batch: c.perDeviceTrainBatchSize, accum: c.gradientAccumulationSteps, cutoff: c.cutoffLen, template: c.template })}
            </dd>
            {run.prepared && (
              <>
                <dt>{t('runs.detail.data')}</dt>
                <dd>{t('runs.detail.prepared', { train: run.prepared.trainRecords, eval: run.prepared.evalRecords, tokens: f.num(run.prepared.tokens) })}</dd>
              </>
            )}
            {run.adapterDir && (
              <>
                <dt>{t('runs.detail.adapter')}</dt>
                <dd className="mono">{run.adapterDir}</dd>
              </>
            )}
          </dl>
        )}
      </div>
      <div className="panel" data-testid="predictions">
        <div className="row">
          <h2 style={{ margin: 0 }}>{t('runs.predictions')}</h2>
          <span className="spacer" />
          {scores && (
            <div className="stats">
              <Score name="BLEU-4" value={scores.bleu4} />
              <Score name="ROUGE-1" value={scores.rouge1} />
              <Score name="ROUGE-2" value={scores.rouge2} />
              <Score name="ROUGE-L" value={scores.rougeL} />
            </div>
          )}
        </div>
        {!preds || preds.total === 0 ? (
          <p className="muted">{active ? t('runs.predictions.later') : t('runs.predictions.none')}</p>
        ) : (
          <>
            <table className="simple" style={{ marginTop: 12 }}>
              <thead>
                <tr>
                  <th style={{ width: 60 }}>#</th>
                  <th>{t('runs.predictions.prompt')}</th>
                  <th>{t('runs.predictions.reference')}</th>
                  <th>{t('runs.predictions.prediction')}</th>
                </tr>
              </thead>
              <tbody>
                {preds.predictions.map((p) => (
                  <tr key={p.row}>
                    <td className="muted">{p.row}</td>
                    <td><div className="pre-cell">{p.prompt}</div></td>
                    <td><div className="pre-cell">{p.reference}</div></td>
                    <td><div className="pre-cell">{p.prediction}</div></td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="row end" style={{ marginTop: 8 }}>
              <span className="muted">{t('runs.predictions.range', { from: offset + 1, to: Math.min(preds.total, offset + PAGE), total: preds.total })}</span>
              <button type="button" className="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                {t('common.back')}
              </button>
              <button type="button" className="secondary" disabled={offset + PAGE >= preds.total} onClick={() => setOffset(offset + PAGE)}>
                {t('common.next')}
              </button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}

function Score({ name, value }: { name: string; value: number }) {
  return (
    <div className="stat">
      <span className="value">{value.toFixed(2)}</span>
      <span className="name">{name}</span>
    </div>
  );
}
