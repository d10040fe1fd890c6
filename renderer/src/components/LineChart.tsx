// A chart.js line chart that React draws once: points are appended through a ref (`append`), so a training run
// streaming metrics never re-renders the page. Raw + EMA-smoothed series, a log-scale toggle, vertical/horizontal
// marker lines, and colours read from the theme's CSS variables (following the OS light/dark switch).
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import {
  Chart,
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  Legend,
  Tooltip,
  Filler,
  type ChartDataset,
  type Plugin,
} from 'chart.js';
import { EmaSmoother, legendItemHasPoints, tickLabel, type XY } from './chart-series.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Filler);

export interface SeriesSpec {
  readonly id: string;
  readonly label: string;
  /** CSS colour or a CSS variable name such as '--accent'. */
  readonly color: string;
  /** Also draw an EMA-smoothed copy (the raw one faded). */
  readonly smoothing?: number;
  readonly dashed?: boolean;
  readonly showPoints?: boolean;
  /** Right-hand axis (e.g. learning rate next to loss). */
  readonly axis?: 'y' | 'y1';
  /** Fill down to zero (histograms). */
  readonly fill?: boolean;
}

export interface LineChartHandle {
  append(seriesId: string, points: readonly XY[]): void;
  reset(): void;
  setLogScale(on: boolean): void;
  /** A vertical line at x (e.g. the cutoff on a histogram's x-axis). */
  setMarkerX(x: number | undefined): void;
  /** Fixes the x-axis range (undefined: fit the data). */
  setXRange(min: number | undefined, max: number | undefined): void;
  pointCount(seriesId: string): number;
}

export interface LineChartProps {
  readonly series: readonly SeriesSpec[];
  readonly label: string;
  readonly height?: number;
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly logScale?: boolean;
  readonly testId?: string;
  /** Draw as steps (histograms: each point is a bin's left edge; its value holds until the next point). */
  readonly stepped?: boolean;
  readonly legend?: boolean;
  /** Legend suffix of a smoothed series' raw copy (translated by the caller). */
  readonly rawSuffix?: string;
}

function cssColor(el: Element, c: string): string {
  return c.startsWith('--') ? getComputedStyle(el).getPropertyValue(c).trim() || '#888' : c;
}

/** `#rgb`/`#rrggbb` with alpha as rgba() (canvas does not take every CSS colour syntax); others unchanged. */
export function fade(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!m) return color;
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

const markerPlugin: Plugin<'line'> = {
  id: 'latheMarker',
  afterDatasetsDraw(chart) {
    const x = (chart as unknown as { latheMarkerX?: number }).latheMarkerX;
    if (x === undefined) return;
    const scale = chart.scales.x;
    if (!scale) return;
    const px = scale.getPixelForValue(x);
    const { top, bottom } = chart.chartArea;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = (chart as unknown as { latheMarkerColor?: string }).latheMarkerColor ?? '#c62828';
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(px, top);
    ctx.lineTo(px, bottom);
    ctx.stroke();
    ctx.restore();
  },
};

interface Kept {
  /** Raw points by series id (smoothed copies are recomputed). */
  readonly points: Map<string, XY[]>;
  readonly markerX: number | undefined;
  readonly xMin: number | undefined;
  readonly xMax: number | undefined;
  readonly logScale: boolean | undefined;
}

function keep(c: Chart<'line', XY[]>, series: readonly SeriesSpec[]): Kept {
  const points = new Map<string, XY[]>();
  let i = 0;
  for (const s of series) {
    points.set(s.id, c.data.datasets[i]?.data ?? []);
    i += s.smoothing !== undefined ? 2 : 1;
  }
  const x = c.options.scales?.x;
  const y = c.options.scales?.y;
  return {
    points,
    markerX: (c as unknown as { latheMarkerX?: number }).latheMarkerX,
    xMin: typeof x?.min === 'number' ? x.min : undefined,
    xMax: typeof x?.max === 'number' ? x.max : undefined,
    logScale: y ? y.type === 'logarithmic' : undefined,
  };
}

/** Adds points to one series (and its smoothed copy); false when no series has that id. */
function appendPoints(c: Chart<'line', XY[]>, series: readonly SeriesSpec[], smoothers: Map<string, EmaSmoother>, counts: Map<string, number>, seriesId: string, points: readonly XY[]): boolean {
  let i = 0;
  for (const s of series) {
    if (s.id === seriesId) {
      const smoother = smoothers.get(s.id);
      if (smoother) {
        const raw = c.data.datasets[i]!.data;
        const sm = c.data.datasets[i + 1]!.data;
        for (const p of points) {
          raw.push(p);
          sm.push({ x: p.x, y: smoother.push(p.y) });
        }
      } else {
        c.data.datasets[i]!.data.push(...points);
      }
      counts.set(seriesId, (counts.get(seriesId) ?? 0) + points.length);
      return true;
    }
    i += s.smoothing !== undefined ? 2 : 1;
  }
  return false;
}

export const LineChart = forwardRef<LineChartHandle, LineChartProps>(function LineChart(props, ref) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<Chart<'line', XY[]> | null>(null);
  const smoothers = useRef(new Map<string, EmaSmoother>());
  const counts = useRef(new Map<string, number>());
  const pending = useRef(0);
  // What a rebuilt chart takes over from the one it replaces (a language switch renames every series).
  const kept = useRef<Kept | undefined>(undefined);
  const seriesKey = [...props.series.map((s) => `${s.id}:${s.label}:${s.color}:${s.smoothing ?? ''}`), props.xLabel, props.yLabel, props.rawSuffix].join('|');

  const setPointsAttr = () => {
    // For tests and assistive tools: how many points the chart holds, set on the DOM without a React render.
    if (box.current) box.current.dataset.points = String([...counts.current.values()].reduce((a, b) => a + b, 0));
  };

  const scheduleUpdate = () => {
    if (pending.current) return;
    // Coalesce bursts of appends into one draw per frame; 'none' skips animation so lines extend without jitter.
    pending.current = requestAnimationFrame(() => {
      pending.current = 0;
      chart.current?.update('none');
    });
  };

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const datasets: ChartDataset<'line', XY[]>[] = [];
    for (const s of props.series) {
      const color = cssColor(el, s.color);
      const common = { yAxisID: s.axis ?? 'y', borderDash: s.dashed ? [5, 4] : [], stepped: props.stepped ? ('before' as const) : false, fill: s.fill ? 'origin' : false };
      if (s.smoothing !== undefined) {
        datasets.push({ ...common, label: `${s.label} ${props.rawSuffix ?? '(raw)'}`, data: [], borderColor: fade(color, 0.3), backgroundColor: fade(color, 0.3), borderWidth: 1, pointRadius: 0 });
        datasets.push({ ...common, label: s.label, data: [], borderColor: color, backgroundColor: color, borderWidth: 2, pointRadius: 0 });
      } else {
        datasets.push({ ...common, label: s.label, data: [], borderColor: color, backgroundColor: s.fill ? fade(color, 0.25) : color, borderWidth: 2, pointRadius: s.showPoints ? 3 : 0 });
      }
    }
    const text = cssColor(el, '--muted');
    const grid = cssColor(el, '--border');
    const hasY1 = props.series.some((s) => s.axis === 'y1');
    chart.current = new Chart<'line', XY[]>(el, {
      type: 'line',
      data: { datasets },
      plugins: [markerPlugin],
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        plugins: { legend: { display: props.legend ?? true, labels: { color: text, boxWidth: 12, filter: legendItemHasPoints } }, tooltip: { enabled: true } },
        scales: {
          x: { type: 'linear', title: { display: !!props.xLabel, text: props.xLabel ?? '', color: text }, ticks: { color: text, precision: 0, callback: tickLabel }, grid: { color: grid } },
          y: { type: props.logScale ? 'logarithmic' : 'linear', title: { display: !!props.yLabel, text: props.yLabel ?? '', color: text }, ticks: { color: text, callback: tickLabel, maxTicksLimit: 6 }, grid: { color: grid } },
          ...(hasY1 ? { y1: { type: 'linear' as const, position: 'right' as const, ticks: { color: text }, grid: { drawOnChartArea: false } } } : {}),
        },
      },
    });
    (chart.current as unknown as { latheMarkerColor: string }).latheMarkerColor = cssColor(el, '--danger');
    smoothers.current = new Map(props.series.filter((s) => s.smoothing !== undefined).map((s) => [s.id, new EmaSmoother(s.smoothing!)]));
    counts.current = new Map();
    const before = kept.current;
    kept.current = undefined;
    if (before) {
      // Same data under new labels or colours: the points, the marker, the x range and the log scale carry over.
      for (const s of props.series) {
        const raw = before.points.get(s.id);
        if (raw) appendPoints(chart.current, props.series, smoothers.current, counts.current, s.id, raw);
      }
      (chart.current as unknown as { latheMarkerX?: number }).latheMarkerX = before.markerX;
      const x = chart.current.options.scales?.x;
      if (x) (x.min = before.xMin), (x.max = before.xMax);
      const y = chart.current.options.scales?.y;
      if (y && before.logScale !== undefined) y.type = before.logScale ? 'logarithmic' : 'linear';
      chart.current.update('none');
    }
    setPointsAttr();
    const builtFor = props.series;
    // Follow the OS theme: re-read the colours when it flips.
    const media = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
    const recolor = () => {
      const c = chart.current;
      if (!c) return;
      let i = 0;
      for (const s of props.series) {
        const color = cssColor(el, s.color);
        if (s.smoothing !== undefined) {
          c.data.datasets[i]!.borderColor = fade(color, 0.3);
          i++;
        }
        c.data.datasets[i]!.borderColor = color;
        c.data.datasets[i]!.backgroundColor = s.fill ? fade(color, 0.25) : color;
        i++;
      }
      const t = cssColor(el, '--muted');
      const g = cssColor(el, '--border');
      for (const axis of Object.values(c.options.scales ?? {})) {
        if (!axis) continue;
        if (axis.ticks) axis.ticks.color = t;
        if (axis.grid) axis.grid.color = g;
        const title = (axis as { title?: { color?: string } }).title;
        if (title) title.color = t;
      }
      const legend = c.options.plugins?.legend;
      if (legend?.labels) legend.labels.color = t;
      (c as unknown as { latheMarkerColor: string }).latheMarkerColor = cssColor(el, '--danger');
      c.update('none');
    };
    media?.addEventListener('change', recolor);
    return () => {
      media?.removeEventListener('change', recolor);
      cancelAnimationFrame(pending.current);
      pending.current = 0;
      if (chart.current) kept.current = keep(chart.current, builtFor);
      chart.current?.destroy();
      chart.current = null;
    };
    // The chart is rebuilt only when the set of series changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [seriesKey, props.stepped]);

  useImperativeHandle(ref, () => ({
    append(seriesId, points) {
      const c = chart.current;
      if (!c || points.length === 0) return;
      if (!appendPoints(c, props.series, smoothers.current, counts.current, seriesId, points)) return;
      setPointsAttr();
      scheduleUpdate();
    },
    reset() {
      const c = chart.current;
      if (!c) return;
      for (const d of c.data.datasets) d.data = [];
      for (const s of smoothers.current.values()) s.reset();
      counts.current.clear();
      if (box.current) box.current.dataset.points = '0';
      scheduleUpdate();
    },
    setLogScale(on) {
      const c = chart.current;
      if (!c?.options.scales?.y) return;
      c.options.scales.y.type = on ? 'logarithmic' : 'linear';
      c.update('none');
    },
    setMarkerX(x) {
      const c = chart.current;
      if (!c) return;
      (c as unknown as { latheMarkerX?: number }).latheMarkerX = x;
      scheduleUpdate();
    },
    setXRange(min, max) {
      const x = chart.current?.options.scales?.x;
      if (!x) return;
      x.min = min;
      x.max = max;
      scheduleUpdate();
    },
    pointCount: (id) => counts.current.get(id) ?? 0,
  }));

  return (
    <div ref={box} className="chart" style={{ height: props.height ?? 260 }} data-testid={props.testId} data-points="0">
      <canvas ref={canvas} role="img" aria-label={props.label} />
    </div>
  );
});
