// Defaults from the model card and the GPU's memory, on the bundled tiny model with made-up GPUs.
import { describe, expect, it } from 'vitest';
import { runDefaults } from './run-defaults.js';

const GiB = 1024 ** 3;

describe('runDefaults', () => {
  it('falls back to the CPU and says so when there is no GPU', async () => {
    const d = await runDefaults({ gpus: [] });
    expect(d).toMatchObject({ device: 'cpu', estimatedBytes: null, availableBytes: null });
    expect(d.config).toMatchObject({ device: 'cpu', perDeviceTrainBatchSize: 1, gradientAccumulationSteps: 8, template: expect.any(String), datasets: [] });
    expect(d.notes.join('\n')).toMatch(/No NVIDIA GPU found/);
  });

  it('picks the largest micro-batch that fits a roomy GPU', async () => {
    const d = await runDefaults({ gpus: [{ index: 0, name: 'Test GPU', memoryBytes: 24 * GiB }] });
    expect(d).toMatchObject({ device: 'cuda', availableBytes: 24 * GiB * 0.9 });
    expect(d.config).toMatchObject({ device: 'cuda', perDeviceTrainBatchSize: 8, gradientAccumulationSteps: 1 });
    expect(d.estimatedBytes!).toBeLessThan(d.availableBytes!);
    expect(d.warnings.filter((w) => /will not fit/.test(w))).toEqual([]);
  });

  it('warns before start when the configuration will not fit', async () => {
    // The fixed CUDA/allocator overhead alone (600 MiB) exceeds 90% of a 512 MiB card.
    const d = await runDefaults({ gpus: [{ index: 0, name: 'Tiny GPU', memoryBytes: 512 * 1024 * 1024 }], config: { cutoffLen: 2048, perDeviceTrainBatchSize: 4 } });
    expect(d.config.perDeviceTrainBatchSize).toBe(4);
    expect(d.warnings.join('\n')).toMatch(/This run will not fit: it needs about [\d.]+ GiB and the GPU has 0\.5 GiB usable/);
  });
});
