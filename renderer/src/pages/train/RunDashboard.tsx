// A run being watched: status, Pause/Resume/Stop, progress with step, epoch, elapsed and ETA, the engine's error
// with its hint, the live charts and the log tail.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunDto } from '../../../../preload/contract/runs.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { useMainMessage } from '../../i18n/main-message.js';
import { useT } from '../../i18n/use-t.js';
import { useLathe } from '../../store/bound-store.js';
import { isRunActive, runDurationS } from '../../store/runs/selectors.js';
import { RunCharts } from './RunCharts.js';
import { formatLogLine } from './log-line.js';
import { runErrorText } from '../runs/run-error-text.js';

export function RunDashboard({ run }: { run: RunDto }) {
  const t = useT();
  const tm = useMainMessage();
  const pause = useLathe((s) => s.pauseRun);
  const resume = useLathe((s) => s.resumeRun);
  const stop = useLathe((s) => s.stopRun);
  const openRun = useLathe((s) => s.openRun);
  const lastEpoch = useLathe((s) => {
    const m = s.live[run.id]?.metrics;
    for (let i = (m?.length ?? 0) - 1; i >= 0; i--) if (m![i]!.epoch !== null) return m![i]!.epoch;
    return null;
  });
  const [now, setNow] = useState(Date.now());
  const active = isRunActive(run);

  useEffect(() => {
    void openRun(run.id);
  }, [run.id, openRun]);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);

  const elapsed = runDurationS(run, now);
  return (
    <div className="stack" data-testid="run-dashboard">
      <div className="panel">
        <div className="row">
          <h2 style={{ margin: 0 }}>{run.name}</h2>
          <span className={`badge ${run.status}`} data-testid="run-status">
            {t(`runs.status.${run.status}`)}
          </span>
          <span className="spacer" />
          {run.status === 'running' && (
            <button type="button" className="secondary" onClick={() => void pause(run.id)}>
              {t('train.pause')}
            </button>
          )}
          {run.status === 'paused' && (
            <button type="button" onClick={() => void resume(run.id)}>
              {t('train.resume')}
            </button>
          )}
          {active && run.status !== 'stopping' && (
            <button type="button" className="danger" onClick={() => void stop(run.id)}>
              {t('train.stop')}
            </button>
          )}
          {!active && (
            <a className="button-link secondary" href="#runs">
              {t('train.openRuns')}
            </a>
          )}
        </div>
        <div style={{ marginTop: 12 }}>
          <ProgressBar
            label={t('train.progress')}
            done={run.step}
            total={run.maxSteps ?? undefined}
            elapsedS={elapsed}
            {...(active ? { etaLabel: (eta: string) => t('common.eta', { eta }) } : {})}
            detail={t('train.progressDetail', { step: run.step, max: run.maxSteps ?? '?', epoch: lastEpoch === null ? '–' : lastEpoch.toFixed(2) })}
            testId="run-progress"
          />
        </div>
        {run.error && (
          <div className={`banner ${run.status === 'interrupted' ? 'banner-info' : 'banner-error'}`} role={run.status === 'interrupted' ? 'status' : 'alert'} data-testid="run-error">
            <div>
              <strong>{runErrorText(t, run)}</strong>
              {run.error.hint && <div>{tm({ code: run.error.hintCode, params: run.error.hintParams, message: run.error.hint })}</div>}
            </div>
          </div>
        )}
      </div>
      <RunCharts runId={run.id} />
      <LogTail runId={run.id} />
    </div>
  );
}

function LogTail({ runId }: { runId: number }) {
  const t = useT();
  const log = useLathe((s) => s.live[runId]?.log);
  const truncated = useLathe((s) => s.live[runId]?.logTruncated);
  const [raw, setRaw] = useState(false);
  const box = useRef<HTMLPreElement>(null);
  // Engine events read as "12:01:02  step 14/30  loss 1.2346 …"; the raw JSON lines stay one click away.
  const text = useMemo(
    () =>
      raw
        ? log?.join('\n')
        : log
            ?.map((l) => {
              const v = formatLogLine(l);
              return v.time ? `${v.time}  ${v.text}` : v.text;
            })
            .join('\n'),
    [log, raw],
  );
  useEffect(() => {
    const el = box.current;
    // Follow the end unless the person scrolled up to read.
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 40) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <div className="panel">
      <h3>
        {t('train.log')}
        <label className="check" style={{ fontWeight: 400 }}>
          <input type="checkbox" checked={raw} onChange={(e) => setRaw(e.target.checked)} data-testid="log-raw" />
          {t('train.logRaw')}
        </label>
      </h3>
      <pre ref={box} className="log-tail" tabIndex={0} aria-label={t('train.log')} data-testid="log-tail">
        {truncated ? `${t('train.logTruncated')}\n` : ''}
        {log?.length ? text : t('train.logEmpty')}
      </pre>
    </div>
  );
}
