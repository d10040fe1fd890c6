import { describe, expect, it } from 'vitest';
import { fakeExports, testStore } from '../testing/fake-services.js';
import { exportsSelectors } from './selectors.js';

describe('exports slice', () => {
  it('runs one export per format in order, follows progress to the result, then lists what was kept', async () => {
    const ex = fakeExports();
    const s = testStore({ exports: ex.service });
    const off = s.getState().watchExports();
    const fractions: number[] = [];
    const unsub = s.subscribe((st) => st.exportJobs[0] && fractions.at(-1) !== st.exportJobs[0].fraction && fractions.push(st.exportJobs[0].fraction));
    await s.getState().startExports(1, [{ runId: 3, format: 'peft' }, { runId: 3, format: 'gguf', quant: 'q8_0' }]);
    unsub();
    off();
    expect(ex.started.map((r) => r.format)).toEqual(['peft', 'gguf']);
    expect(exportsSelectors.jobs(s.getState()).map((j) => j.status)).toEqual(['completed', 'completed']);
    expect(exportsSelectors.jobs(s.getState())[1]?.result?.verification[0]?.passed).toBe(true);
    expect(fractions).toEqual([0, 0.5, 1]);
    expect(exportsSelectors.list(s.getState())).toHaveLength(2);
    await s.getState().removeExport(1);
    expect(exportsSelectors.list(s.getState()).map((e) => e.format)).toEqual(['gguf']);
  });

  it('a failed start stops the queue with the message', async () => {
    const ex = fakeExports();
    ex.service.start = async () => Promise.reject(new Error('This run has no adapter yet.'));
    const s = testStore({ exports: ex.service });
    await s.getState().startExports(1, [{ runId: 3, format: 'peft' }, { runId: 3, format: 'merged' }]);
    expect(exportsSelectors.error(s.getState())).toBe('This run has no adapter yet.');
    expect(exportsSelectors.jobs(s.getState())).toEqual([]);
  });
});
