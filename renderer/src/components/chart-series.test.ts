import { describe, expect, it } from 'vitest';
import { EmaSmoother, forLogScale, legendItemHasPoints, smooth, tickLabel } from './chart-series.js';

describe('EMA smoothing', () => {
  it('starts at the first value (debiased) and follows the series', () => {
    const s = new EmaSmoother(0.9);
    expect(s.push(2)).toBeCloseTo(2, 10);
    // Second point: (0.9*0.2 + 0.1*4) / (1 - 0.81) = 0.58 / 0.19
    expect(s.push(4)).toBeCloseTo(0.58 / 0.19, 10);
  });

  it('weight 0 is the raw series; a constant series stays constant', () => {
    expect(smooth([{ x: 1, y: 3 }, { x: 2, y: 7 }], 0).map((p) => p.y)).toEqual([3, 7]);
    const c = smooth(Array.from({ length: 50 }, (_, i) => ({ x: i, y: 1.5 })), 0.95);
    for (const p of c) expect(p.y).toBeCloseTo(1.5, 10);
  });

  it('drops points a log axis cannot show', () => {
    expect(forLogScale([{ x: 1, y: 0 }, { x: 2, y: -1 }, { x: 3, y: NaN }, { x: 4, y: 0.5 }])).toEqual([{ x: 4, y: 0.5 }]);
  });
});

describe('axis labels', () => {
  it('formats small, large and plain numbers', () => {
    expect(tickLabel(0.0001)).toBe('1e-4');
    // Close ticks get the digits that tell them apart.
    const ticks = [1e-4, 0.99995e-4, 0.9999e-4].map((value) => ({ value }));
    expect(ticks.map((t, i) => tickLabel(t.value, i, ticks))).toEqual(['1e-4', '9.9995e-5', '9.999e-5']);
    expect(tickLabel(0.000099975)).toBe('9.998e-5');
    expect(tickLabel(12000)).toBe('12k');
    expect(tickLabel(8.3651234)).toBe('8.365');
    expect(tickLabel(0)).toBe('0');
  });
});

describe('legend', () => {
  it('leaves out a series without points (no eval loss entry before an evaluation) and shows it with its first point', () => {
    const data = { datasets: [{ data: [{ x: 1, y: 2 }] }, { data: [] as unknown[] }] };
    expect(legendItemHasPoints({ datasetIndex: 0 }, data)).toBe(true);
    expect(legendItemHasPoints({ datasetIndex: 1 }, data)).toBe(false);
    data.datasets[1]!.data.push({ x: 5, y: 1.5 });
    expect(legendItemHasPoints({ datasetIndex: 1 }, data)).toBe(true);
  });
});
