// Several runs' training loss (smoothed) on one chart, each run its own colour.
import { useEffect, useRef } from 'react';
import type { CompareResult } from '../../../../preload/contract/runs.js';
import { LineChart, type LineChartHandle } from '../../components/LineChart.js';
import { useT } from '../../i18n/use-t.js';
import { useLathe } from '../../store/bound-store.js';

const PALETTE = ['#2f6feb', '#d9480f', '#2b8a3e', '#ae3ec9', '#e8590c', '#1098ad', '#c2255c', '#5c940d'];

export function CompareChart({ ids }: { ids: readonly number[] }) {
  const t = useT();
  const compare = useLathe((s) => s.compareRuns);
  const runs = useLathe((s) => s.runs);
  const chart = useRef<LineChartHandle>(null);
  const key = ids.join(',');
  const series = ids.map((id, i) => ({ id: String(id), label: runs.find((r) => r.id === id)?.name ?? `#${id}`, color: PALETTE[i % PALETTE.length]!, smoothing: 0.6 }));

  useEffect(() => {
    let stale = false;
    void compare(ids).then((r: CompareResult | undefined) => {
      if (stale || !r || !chart.current) return;
      chart.current.reset();
      for (const { run, metrics } of r.runs) {
        chart.current.append(
          String(run.id),
          metrics.filter((p) => p.kind === 'train' && p.loss !== null).map((p) => ({ x: p.step, y: p.loss! })),
        );
      }
    });
    return () => {
      stale = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  return (
    <div className="chart-card" data-testid="compare-chart">
      <h3>{t('runs.compareTitle')}</h3>
      <LineChart ref={chart} label={t('runs.compareTitle')} series={series} xLabel={t('train.chart.step')} rawSuffix={t('train.chart.raw')} height={300} testId="compare-lines" />
    </div>
  );
}
