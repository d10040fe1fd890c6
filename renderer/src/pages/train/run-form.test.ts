import { describe, expect, it } from 'vitest';
import type { RunConfig } from '../../../../preload/contract/runs.js';
import { configFromForm, formFromConfig } from './run-form.js';

const base = {
  model: '/m', datasets: [], template: 'chatml', cutoffLen: 1024, packing: false, trainOnPrompt: false, maskHistory: false, finetuningType: 'lora', loraRank: 8, loraDropout: 0,
  loraTarget: 'all', useRslora: false, optim: 'adamw_torch', lrSchedulerType: 'cosine', warmupRatio: 0, learningRate: 1e-4, weightDecay: 0, maxGradNorm: 1, numTrainEpochs: 3,
  perDeviceTrainBatchSize: 1, gradientAccumulationSteps: 8, loggingSteps: 1, evalSteps: 0, saveSteps: 0, seed: 42, device: 'auto', predictWithGenerate: true, maxNewTokens: 128,
  maxPredictSamples: 50, doSample: false, temperature: 1,
} as RunConfig;

describe('run form', () => {
  it('round-trips the defaults and adds the dataset', () => {
    const { config, errors } = configFromForm(formFromConfig(base, '3'), base);
    expect(errors).toEqual({});
    expect(config).toEqual({ ...base, datasets: [{ id: 3 }] });
  });

  it('QLoRA sets 4-bit; blanks for optional fields leave them out; edits apply', () => {
    const v = { ...formFromConfig(base, '1'), method: 'qlora' as const, loraRank: '16', loraAlpha: '32', maxSteps: '20', learningRate: '2e-4' };
    const { config, errors } = configFromForm(v, base);
    expect(errors).toEqual({});
    expect(config).toMatchObject({ quantizationBit: 4, loraRank: 16, loraAlpha: 32, maxSteps: 20, learningRate: 2e-4 });
    const back = configFromForm({ ...v, method: 'lora', loraAlpha: '', maxSteps: '' }, config).config;
    expect(back.quantizationBit).toBeUndefined();
    expect(back.loraAlpha).toBeUndefined();
    expect(back.maxSteps).toBeUndefined();
  });

  it('gradient checkpointing: automatic leaves it to the engine, on/off set it; a blank memory cap is none', () => {
    const v = formFromConfig(base, '1');
    expect(v).toMatchObject({ gradientCheckpointing: 'auto', maxVramGb: '' });
    const on = configFromForm({ ...v, gradientCheckpointing: 'on', maxVramGb: '24' }, base);
    expect(on.errors).toEqual({});
    expect(on.config).toMatchObject({ gradientCheckpointing: true, maxVramGb: 24 });
    expect(formFromConfig(on.config, '1')).toMatchObject({ gradientCheckpointing: 'on', maxVramGb: '24' });
    expect(configFromForm({ ...v, gradientCheckpointing: 'off' }, on.config).config).toMatchObject({ gradientCheckpointing: false });
    const auto = configFromForm({ ...v, gradientCheckpointing: 'auto', maxVramGb: '' }, on.config).config;
    expect(auto).not.toHaveProperty('gradientCheckpointing');
    expect(auto).not.toHaveProperty('maxVramGb');
    expect(configFromForm({ ...v, maxVramGb: '0' }, base).errors).toEqual({ maxVramGb: 'range' });
  });

  it('reports wrong fields by name', () => {
    const { errors } = configFromForm({ ...formFromConfig(base, ''), loraRank: '0', learningRate: 'fast', numTrainEpochs: '', perDeviceTrainBatchSize: '1.5' }, base);
    expect(errors).toEqual({ datasetId: 'required', loraRank: 'range', learningRate: 'number', numTrainEpochs: 'required', perDeviceTrainBatchSize: 'number' });
  });
});
