// Defaults from the model card and the GPU's memory, on the bundled tiny model with made-up GPUs.
import { describe, expect, it } from 'vitest';
import { DEMO_EVAL_STEPS, runDefaults } from './run-defaults.js';

const GiB = 1024 ** 3;

describe('runDefaults', () => {
  it('falls back to the CPU and says so when there is no GPU', async () => {
    const d = await runDefaults({ gpus: [] });
    expect(d).toMatchObject({ device: 'cpu', estimatedBytes: null, availableBytes: null });
    expect(d.config).toMatchObject({ device: 'cpu', perDeviceTrainBatchSize: 1, gradientAccumulationSteps: 8, template: expect.any(String), datasets: [] });
    expect(d.notes.map((n) => n.message).join('\n')).toMatch(/No NVIDIA GPU found/);
    expect(d.notes.map((n) => n.code)).toEqual(['runDefaults.template', 'runDefaults.cutoffFromContext', 'runDefaults.noGpu', 'runDefaults.effectiveBatch']);
    expect(d.notes.at(-1)).toEqual({ code: 'runDefaults.effectiveBatch', params: { effective: 8, batch: 1, accumulation: 8 }, message: 'Effective batch 8 (micro-batch 1 × accumulation 8).' });
  });

  it('picks the largest micro-batch that fits a roomy GPU', async () => {
    const d = await runDefaults({ gpus: [{ index: 0, name: 'Test GPU', memoryBytes: 24 * GiB }] });
    expect(d).toMatchObject({ device: 'cuda', availableBytes: 24 * GiB * 0.9 });
    expect(d.config).toMatchObject({ device: 'cuda', perDeviceTrainBatchSize: 8, gradientAccumulationSteps: 1 });
    expect(d.estimatedBytes!).toBeLessThan(d.availableBytes!);
    expect(d.warnings.filter((w) => w.code === 'runDefaults.wontFit')).toEqual([]);
    expect(d.notes).toContainEqual({ code: 'runDefaults.gpu', params: { name: 'Test GPU', gib: '24.0' }, message: 'GPU: Test GPU, 24.0 GiB.' });
    expect(d.notes).toContainEqual(expect.objectContaining({ code: 'runDefaults.microBatch', params: { batch: 8, share: 90 } }));
  });

  it('caps the usable memory at max_vram_gb and estimates with checkpointing as configured', async () => {
    const gpus = [{ index: 0, name: 'Big GPU', memoryBytes: 80 * GiB }];
    const capped = await runDefaults({ gpus, config: { maxVramGb: 2, perDeviceTrainBatchSize: 8 } });
    expect(capped.availableBytes).toBe(2 * GiB);
    const on = await runDefaults({ gpus, config: { cutoffLen: 2048, perDeviceTrainBatchSize: 8, gradientCheckpointing: true } });
    const off = await runDefaults({ gpus, config: { cutoffLen: 2048, perDeviceTrainBatchSize: 8, gradientCheckpointing: false } });
    expect(off.estimatedBytes!).toBeGreaterThan(on.estimatedBytes!);
    expect(off.config.gradientCheckpointing).toBe(false);
  });

  it('estimates with checkpointing unset as the engine decides: on when the run does not fit without it', async () => {
    // The demo model at batch 8 × 1024 plans 1.53 GiB without checkpointing and 1.47 GiB with it (lathe-engine plan mode).
    const gpus = [{ index: 0, name: 'Big GPU', memoryBytes: 80 * GiB }];
    const d = await runDefaults({ gpus, config: { maxVramGb: 1.5, perDeviceTrainBatchSize: 8, cutoffLen: 1024 } });
    expect(d.warnings.map((w) => w.code)).not.toContain('runDefaults.wontFit');
    expect(d.notes).toContainEqual(expect.objectContaining({ code: 'runDefaults.checkpointingOn', params: { without: '1.5' } }));
    expect(d.estimatedBytes! / GiB).toBeLessThan(1.5);
    expect(d.config.gradientCheckpointing).toBeUndefined();
    const roomy = await runDefaults({ gpus, config: { perDeviceTrainBatchSize: 8, cutoffLen: 1024 } });
    expect(roomy.notes.map((n) => n.code)).not.toContain('runDefaults.checkpointingOn');
    expect(roomy.estimatedBytes! / GiB).toBeGreaterThan(1.5);
  });

  it('warns before start when the configuration will not fit', async () => {
    // The engine plan's CUDA-context margin alone (1 GiB) exceeds 90% of a 512 MiB card.
    const d = await runDefaults({ gpus: [{ index: 0, name: 'Tiny GPU', memoryBytes: 512 * 1024 * 1024 }], config: { cutoffLen: 2048, perDeviceTrainBatchSize: 4 } });
    expect(d.config.perDeviceTrainBatchSize).toBe(4);
    const fit = d.warnings.find((w) => w.code === 'runDefaults.wontFit')!;
    expect(fit.message).toMatch(/This run will not fit: it needs about [\d.]+ GiB and the GPU has 0\.5 GiB usable/);
    expect(fit.params).toEqual({ need: expect.stringMatching(/^[\d.]+$/), have: '0.5' });
    expect(d.notes).toContainEqual({ code: 'runDefaults.cutoffGiven', params: { cutoffLen: 2048 }, message: 'cutoff_len 2048: as given.' });
  });

  it('the demo model evaluates every few steps unless told otherwise, so a first run draws an eval-loss curve', async () => {
    expect((await runDefaults({ gpus: [] })).config.evalSteps).toBe(DEMO_EVAL_STEPS);
    expect(DEMO_EVAL_STEPS).toBeGreaterThan(0);
    expect((await runDefaults({ gpus: [], config: { evalSteps: 0 } })).config.evalSteps).toBe(0);
    expect((await runDefaults({ gpus: [], config: { evalSteps: 25 } })).config.evalSteps).toBe(25);
  });
});
