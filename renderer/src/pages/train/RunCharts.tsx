// The live training charts. The component renders once per run; new metric points reach chart.js through refs
// from a store subscription, so a run streaming points does not re-render React at all.
import { useEffect, useRef, useState } from 'react';
import type { MetricPoint } from '../../../../preload/contract/runs.js';
import { LineChart, type LineChartHandle } from '../../components/LineChart.js';
import type { XY } from '../../components/chart-series.js';
import { useT } from '../../i18n/use-t.js';
import { useLathe } from '../../store/bound-store.js';

type Extract = (p: MetricPoint) => number | null;
const CHARTS: readonly { id: 'lr' | 'grad' | 'tps' | 'mem'; color: string; value: Extract }[] = [
  { id: 'lr', color: '--special', value: (p) => p.lr },
  { id: 'grad', color: '--warn', value: (p) => p.gradNorm },
  { id: 'tps', color: '--ok', value: (p) => p.tokensPerS },
  { id: 'mem', color: '--muted', value: (p) => p.memoryMb },
];

function points(ps: readonly MetricPoint[], kind: 'train' | 'eval', value: Extract): XY[] {
  const out: XY[] = [];
  for (const p of ps) {
    const v = p.kind === kind ? value(p) : null;
    if (v !== null && Number.isFinite(v)) out.push({ x: p.step, y: v });
  }
  return out;
}

export function RunCharts({ runId }: { runId: number }) {
  const t = useT();
  const loss = useRef<LineChartHandle>(null);
  const others = useRef<Record<string, LineChartHandle | null>>({});
  const [log, setLog] = useState(false);

  useEffect(() => {
    let fed = 0;
    const feed = (metrics: readonly MetricPoint[] | undefined) => {
      if (!metrics) return;
      if (metrics.length < fed) {
        // The history was replaced (run reopened): start over.
        loss.current?.reset();
        for (const c of Object.values(others.current)) c?.reset();
        fed = 0;
      }
      if (metrics.length === fed) return;
      const fresh = metrics.slice(fed);
      fed = metrics.length;
      loss.current?.append('train', points(fresh, 'train', (p) => p.loss));
      loss.current?.append('eval', points(fresh, 'eval', (p) => p.loss));
      for (const c of CHARTS) others.current[c.id]?.append(c.id, points(fresh, 'train', c.value));
    };
    loss.current?.reset();
    for (const c of Object.values(others.current)) c?.reset();
    feed(useLathe.getState().live[runId]?.metrics);
    return useLathe.subscribe((s, prev) => {
      const m = s.live[runId]?.metrics;
      if (m !== prev.live[runId]?.metrics) feed(m);
    });
  }, [runId]);

  return (
    <div className="chart-grid" data-testid="run-charts">
      <div className="chart-card" style={{ gridColumn: '1 / -1' }}>
        <h3>
          {t('train.chart.loss')}
          <label className="check" style={{ fontWeight: 400 }}>
            <input
              type="checkbox"
              checked={log}
              onChange={(e) => {
                setLog(e.target.checked);
                loss.current?.setLogScale(e.target.checked);
              }}
            />
            {t('train.chart.log')}
          </label>
        </h3>
        <LineChart
          ref={loss}
          label={t('train.chart.lossLabel')}
          series={[
            { id: 'train', label: t('train.chart.trainLoss'), color: '--accent', smoothing: 0.8 },
            { id: 'eval', label: t('train.chart.evalLoss'), color: '--danger', showPoints: true, dashed: true },
          ]}
          xLabel={t('train.chart.step')}
          rawSuffix={t('train.chart.raw')}
          height={280}
          testId="loss-chart"
        />
      </div>
      {CHARTS.map((c) => (
        <div className="chart-card" key={c.id}>
          <h3>{t(`train.chart.${c.id}`)}</h3>
          <LineChart ref={(h) => void (others.current[c.id] = h)} label={t(`train.chart.${c.id}`)} series={[{ id: c.id, label: t(`train.chart.${c.id}`), color: c.color }]} legend={false} xLabel={t('train.chart.step')} height={170} />
        </div>
      ))}
    </div>
  );
}
