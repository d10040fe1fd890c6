// The Train form's values as text fields and their conversion to a RunConfig: blanks fall back to the defaults,
// numbers are checked, and each problem is reported by field. Pure.
import type { RunConfig } from '../../../../preload/contract/runs.js';

export interface RunFormValues {
  model: string;
  datasetId: string;
  template: string;
  method: 'lora' | 'qlora';
  loraRank: string;
  loraAlpha: string;
  learningRate: string;
  numTrainEpochs: string;
  perDeviceTrainBatchSize: string;
  gradientAccumulationSteps: string;
  cutoffLen: string;
  evalSteps: string;
  saveSteps: string;
  maxSteps: string;
  /** auto: the engine decides from its memory plan (off when the run fits without it). */
  gradientCheckpointing: 'auto' | 'on' | 'off';
  /** GiB; blank: no cap. */
  maxVramGb: string;
  device: string;
  name: string;
}

export type FormErrors = Partial<Record<keyof RunFormValues, 'required' | 'number' | 'range'>>;

export function formFromConfig(c: RunConfig, datasetId: string): RunFormValues {
  return {
    model: c.model,
    datasetId,
    template: c.template,
    method: c.quantizationBit ? 'qlora' : 'lora',
    loraRank: String(c.loraRank),
    loraAlpha: c.loraAlpha === undefined ? '' : String(c.loraAlpha),
    learningRate: String(c.learningRate),
    numTrainEpochs: String(c.numTrainEpochs),
    perDeviceTrainBatchSize: String(c.perDeviceTrainBatchSize),
    gradientAccumulationSteps: String(c.gradientAccumulationSteps),
    cutoffLen: String(c.cutoffLen),
    evalSteps: String(c.evalSteps),
    saveSteps: String(c.saveSteps),
    maxSteps: c.maxSteps === undefined ? '' : String(c.maxSteps),
    gradientCheckpointing: c.gradientCheckpointing === undefined ? 'auto' : c.gradientCheckpointing ? 'on' : 'off',
    maxVramGb: c.maxVramGb === undefined ? '' : String(c.maxVramGb),
    device: c.device,
    name: '',
  };
}

/** The config the form describes, on top of `base` (the defaults), or the fields that are wrong. */
export function configFromForm(v: RunFormValues, base: RunConfig): { config: RunConfig; errors: FormErrors } {
  const errors: FormErrors = {};
  const num = (k: keyof RunFormValues, opts: { int?: boolean; min?: number; max?: number; optional?: boolean }): number | undefined => {
    const raw = String(v[k]).trim();
    if (raw === '') {
      if (!opts.optional) errors[k] = 'required';
      return undefined;
    }
    const n = Number(raw);
    if (!Number.isFinite(n) || (opts.int && !Number.isInteger(n))) {
      errors[k] = 'number';
      return undefined;
    }
    if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
      errors[k] = 'range';
      return undefined;
    }
    return n;
  };
  if (!v.model.trim()) errors.model = 'required';
  if (!v.datasetId) errors.datasetId = 'required';
  const loraRank = num('loraRank', { int: true, min: 1, max: 1024 });
  const loraAlpha = num('loraAlpha', { min: 0.001, max: 1e6, optional: true });
  const learningRate = num('learningRate', { min: 1e-9, max: 10 });
  const numTrainEpochs = num('numTrainEpochs', { min: 0.01, max: 1e6 });
  const batch = num('perDeviceTrainBatchSize', { int: true, min: 1, max: 4096 });
  const accumulation = num('gradientAccumulationSteps', { int: true, min: 1, max: 65536 });
  const cutoffLen = num('cutoffLen', { int: true, min: 8, max: 1_048_576 });
  const evalSteps = num('evalSteps', { int: true, min: 0 });
  const saveSteps = num('saveSteps', { int: true, min: 0 });
  const maxSteps = num('maxSteps', { int: true, min: 1, optional: true });
  const maxVramGb = num('maxVramGb', { min: 0.5, max: 4096, optional: true });
  const { quantizationBit: _q, loraAlpha: _a, maxSteps: _m, gradientCheckpointing: _g, maxVramGb: _v, ...rest } = base;
  const config: RunConfig = {
    ...rest,
    model: v.model.trim(),
    datasets: v.datasetId ? [{ id: Number(v.datasetId) }] : [],
    template: v.template || base.template,
    ...(v.method === 'qlora' ? { quantizationBit: 4 as const } : {}),
    loraRank: loraRank ?? base.loraRank,
    ...(loraAlpha !== undefined ? { loraAlpha } : {}),
    learningRate: learningRate ?? base.learningRate,
    numTrainEpochs: numTrainEpochs ?? base.numTrainEpochs,
    perDeviceTrainBatchSize: batch ?? base.perDeviceTrainBatchSize,
    gradientAccumulationSteps: accumulation ?? base.gradientAccumulationSteps,
    cutoffLen: cutoffLen ?? base.cutoffLen,
    evalSteps: evalSteps ?? base.evalSteps,
    saveSteps: saveSteps ?? base.saveSteps,
    ...(maxSteps !== undefined ? { maxSteps } : {}),
    ...(v.gradientCheckpointing !== 'auto' ? { gradientCheckpointing: v.gradientCheckpointing === 'on' } : {}),
    ...(maxVramGb !== undefined ? { maxVramGb } : {}),
    device: v.device || base.device,
  };
  return { config, errors };
}
