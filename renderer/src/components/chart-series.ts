// Series arithmetic for the charts: exponential moving average smoothing with TensorBoard's debiasing (so the first
// points are not dragged towards zero), and the log-scale guard. Pure; the chart wrapper feeds points through it.
export interface XY {
  readonly x: number;
  readonly y: number;
}

/** Incremental EMA: `push` returns the smoothed value for each new raw value, in O(1). weight in [0, 1). */
export class EmaSmoother {
  private last = 0;
  private count = 0;
  constructor(private readonly weight: number) {}

  push(value: number): number {
    if (!Number.isFinite(value)) return value;
    this.count++;
    this.last = this.last * this.weight + (1 - this.weight) * value;
    // Debias as TensorBoard does: divide by 1 - weight^n so the start is not biased towards 0.
    const debias = 1 - Math.pow(this.weight, this.count);
    return debias > 0 ? this.last / debias : value;
  }

  reset(): void {
    this.last = 0;
    this.count = 0;
  }
}

export function smooth(points: readonly XY[], weight: number): XY[] {
  const s = new EmaSmoother(weight);
  return points.map((p) => ({ x: p.x, y: s.push(p.y) }));
}

/** Points that can be drawn on a log axis (positive, finite); others are dropped rather than breaking the scale. */
export function forLogScale(points: readonly XY[]): XY[] {
  return points.filter((p) => Number.isFinite(p.y) && p.y > 0);
}

/**
 * Axis numbers people can read: 0.0001 as 1e-4, 12000 as 12k, else up to 4 significant digits — more when the
 * neighbouring ticks (chart.js passes them) are closer than that, so 1e-4 and 9.999e-5 never print alike.
 */
export function tickLabel(v: number | string, _index?: number, ticks?: readonly { value: number }[]): string {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) return String(v);
  const a = Math.abs(n);
  let digits = 4;
  if (ticks && ticks.length > 1 && a !== 0) {
    let gap = Infinity;
    for (let i = 1; i < ticks.length; i++) gap = Math.min(gap, Math.abs(ticks[i]!.value - ticks[i - 1]!.value));
    if (gap > 0 && Number.isFinite(gap)) digits = Math.min(12, Math.max(digits, Math.ceil(Math.log10(a / gap)) + 1));
  }
  if (a !== 0 && a < 1e-2) return Number(n.toPrecision(digits)).toExponential();
  if (a >= 1e4 && digits <= 4) return `${Number((n / 1e3).toPrecision(3))}k`;
  return String(Number(n.toPrecision(digits)));
}

/**
 * Chart.js legend filter: a series shows in the legend only once it has points (a run without evaluation has no
 * "eval loss" entry). Chart.js re-runs it on every update, so the entry appears with the first point.
 */
export function legendItemHasPoints(item: { readonly datasetIndex?: number }, data: { readonly datasets: readonly { readonly data: readonly unknown[] }[] }): boolean {
  return item.datasetIndex === undefined || (data.datasets[item.datasetIndex]?.data.length ?? 0) > 0;
}
