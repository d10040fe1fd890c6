// YAML ↔ RunConfig with LLaMA-Factory keys, the engine JSON built from it, and the lifecycle table.
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { LatheError } from '../../preload/contract/errors.js';
import { RunConfig } from '../../preload/contract/runs.js';
import { buildEngineConfig } from './engine-config.js';
import { deviceKey } from './run-manager.js';
import { ownerGone } from './run-ownership.js';
import { canTransition } from './run-status.js';
import { cliCommandFor, resolveConfigPaths, runConfigFromYaml, runConfigToYaml } from './run-yaml.js';

// LLaMA-Factory's examples/train_lora/llama3_lora_sft.yaml, as published (keys Lathe decides itself included).
const LF_EXAMPLE = `
### model
model_name_or_path: meta-llama/Meta-Llama-3-8B-Instruct
trust_remote_code: true

### method
stage: sft
do_train: true
finetuning_type: lora
lora_rank: 8
lora_target: all

### dataset
dataset: identity,alpaca_en_demo
template: llama3
cutoff_len: 2048
max_samples: 1000
overwrite_cache: true
preprocessing_num_workers: 16
dataloader_num_workers: 4

### output
output_dir: saves/llama3-8b/lora/sft
logging_steps: 10
save_steps: 500
plot_loss: true
overwrite_output_dir: true
save_only_model: false
report_to: none

### train
per_device_train_batch_size: 1
gradient_accumulation_steps: 8
learning_rate: 1.0e-4
num_train_epochs: 3.0
lr_scheduler_type: cosine
warmup_ratio: 0.1
bf16: true
ddp_timeout: 180000000
resume_from_checkpoint: null
`;

describe('run YAML', () => {
  it("loads LLaMA-Factory's example unchanged, noting the keys Lathe decides itself", () => {
    const { config, warnings } = runConfigFromYaml(LF_EXAMPLE);
    expect(config).toMatchObject({
      model: 'meta-llama/Meta-Llama-3-8B-Instruct',
      datasets: [{ name: 'identity' }, { name: 'alpaca_en_demo' }],
      template: 'llama3',
      cutoffLen: 2048,
      maxSamples: 1000,
      loraRank: 8,
      loraTarget: 'all',
      outputDir: 'saves/llama3-8b/lora/sft',
      loggingSteps: 10,
      saveSteps: 500,
      perDeviceTrainBatchSize: 1,
      gradientAccumulationSteps: 8,
      learningRate: 1e-4,
      numTrainEpochs: 3,
      lrSchedulerType: 'cosine',
      warmupRatio: 0.1,
    });
    expect(warnings).toContainEqual({ code: 'runYaml.ignoredKey', params: { key: 'bf16' }, message: 'bf16 is decided by Lathe and was ignored.' });
  });

  it('round-trips through YAML with every value written out', () => {
    const config = RunConfig.parse({ model: '/m', datasets: [{ id: 3 }, { file: 'data/x.jsonl' }, { name: 'tickets' }], template: 'qwen', maxSteps: 7, loraAlpha: 32, debug: { nanAtStep: 2 } });
    const yaml = runConfigToYaml(config, 'my run');
    expect(yaml).toMatch(/^run_name: my run$/m);
    expect(yaml).toMatch(/^dataset: "?#3,data\/x.jsonl,tickets"?$/m);
    expect(yaml).toMatch(/^lora_alpha: 32$/m);
    const back = runConfigFromYaml(yaml);
    expect(back.config).toEqual(config);
    expect(back.name).toBe('my run');
  });

  it('reads dataset lists, -1 max_steps and lora_target arrays as LLaMA-Factory does', () => {
    const { config } = runConfigFromYaml('model_name_or_path: m\ntemplate: t\ndataset: [a, ./b.csv]\nmax_steps: -1\nlora_target: [q_proj, v_proj]\n');
    expect(config.datasets).toEqual([{ name: 'a' }, { file: './b.csv' }]);
    expect(config.maxSteps).toBeUndefined();
    expect(config.loraTarget).toBe('q_proj,v_proj');
  });

  it('names unknown keys and bad values by their YAML key', () => {
    const bad = (text: string) => {
      try {
        runConfigFromYaml(text, 'run.yaml');
      } catch (e) {
        return e as LatheError;
      }
      throw new Error('expected an error');
    };
    expect(bad('model_name_or_path: m\ntemplate: t\ndataset: a\nlora_rnak: 8\n').message).toMatch(/run.yaml: unknown key lora_rnak/);
    expect(bad('model_name_or_path: m\ntemplate: t\ndataset: a\nlora_rank: 0\n').message).toMatch(/lora_rank:/);
    expect(bad('model_name_or_path: m\ntemplate: t\n').message).toMatch(/dataset:/);
    expect(bad('stage: dpo\nmodel_name_or_path: m\n').code).toBe('unsupported');
    expect(bad('- a\n- b\n').message).toMatch(/mapping/);
    expect(bad('a: [\n').message).toMatch(/not valid YAML/);
  });

  it("resolves relative paths against the YAML's folder and leaves dataset names alone", () => {
    const { config } = runConfigFromYaml('model_name_or_path: ../models/m\ntemplate: t\ndataset: tickets,data/a.jsonl\noutput_dir: out\n');
    const r = resolveConfigPaths(config, '/work/cfg');
    expect(r).toMatchObject({ model: '/work/models/m', datasets: [{ name: 'tickets' }, { file: '/work/cfg/data/a.jsonl' }], outputDir: '/work/cfg/out' });
  });

  it('quotes paths in the equivalent CLI command', () => {
    expect(cliCommandFor('run.yaml')).toBe('lathe train run.yaml');
    expect(cliCommandFor("my run's.yaml", { home: '/tmp/w s' })).toBe(`lathe --home '/tmp/w s' train 'my run'\\''s.yaml'`);
  });
});

describe('engine config', () => {
  it('uses protocol key names, LLaMA-Factory alpha default, and resume over adapter_dir', () => {
    const c = RunConfig.parse({ model: '/m', datasets: [{ id: 1 }], template: 'qwen', loraRank: 4, device: 'cuda', adapterFrom: '/prev', debug: { stopAfterSteps: 3 } });
    const e = buildEngineConfig(c, { trainFile: '/t.ltok', evalFile: null, outputDir: '/out', resumeFrom: null });
    expect(e).toMatchObject({ mode: 'train', lora_rank: 4, lora_alpha: 8, device: 'cuda:0', max_steps: -1, adapter_dir: '/prev', stop_after_steps: 3, train_file: '/t.ltok' });
    expect(e).not.toHaveProperty('eval_file');
    const r = buildEngineConfig(c, { trainFile: '/t.ltok', evalFile: '/e.ltok', outputDir: '/out', resumeFrom: '/out/checkpoint-4' });
    expect(r).toMatchObject({ resume_from: '/out/checkpoint-4', eval_file: '/e.ltok' });
    expect(r).not.toHaveProperty('adapter_dir');
    // gradient checkpointing and the memory cap: passed when set, left to the engine's memory plan when not
    expect(e).not.toHaveProperty('gradient_checkpointing');
    expect(e).not.toHaveProperty('max_vram_gb');
    const m = buildEngineConfig(RunConfig.parse({ ...c, gradientCheckpointing: false, maxVramGb: 24 }), { trainFile: '/t.ltok', evalFile: null, outputDir: '/out', resumeFrom: null });
    expect(m).toMatchObject({ gradient_checkpointing: false, max_vram_gb: 24 });
  });

  it('reads gradient_checkpointing and max_vram_gb from YAML and writes them back', () => {
    const r = runConfigFromYaml('model_name_or_path: /m\ndataset: d\ntemplate: qwen\ngradient_checkpointing: true\nmax_vram_gb: 12\n');
    expect(r.config).toMatchObject({ gradientCheckpointing: true, maxVramGb: 12 });
    expect(r.warnings.map((w) => w.message).join('\n')).not.toMatch(/gradient_checkpointing/);
    expect(runConfigToYaml(r.config)).toMatch(/gradient_checkpointing: true[\s\S]*max_vram_gb: 12/);
  });
});

describe('lifecycle', () => {
  it('allows the documented transitions only', () => {
    expect(canTransition('queued', 'preparing')).toBe(true);
    expect(canTransition('draft', 'queued')).toBe(true);
    expect(canTransition('draft', 'running')).toBe(false);
    expect(canTransition('running', 'paused')).toBe(true);
    expect(canTransition('paused', 'running')).toBe(true);
    expect(canTransition('running', 'stopping')).toBe(true);
    expect(canTransition('stopping', 'completed')).toBe(true);
    expect(canTransition('interrupted', 'queued')).toBe(true);
    expect(canTransition('completed', 'running')).toBe(false);
    expect(canTransition('queued', 'paused')).toBe(false);
    expect(canTransition('failed', 'running')).toBe(false);
  });

  it('gives each GPU (or the CPU) one slot', () => {
    expect(deviceKey({ device: 'auto' }, false)).toBe('cpu');
    expect(deviceKey({ device: 'auto' }, true)).toBe('cuda:0');
    expect(deviceKey({ device: 'cuda' }, true)).toBe('cuda:0');
    expect(deviceKey({ device: 'cuda:1' }, true)).toBe('cuda:1');
  });

  it('tells a dead or silent owner from a live one', () => {
    const now = Date.now();
    const fresh = new Date(now).toISOString();
    expect(ownerGone({ pid: process.pid, host: os.hostname(), heartbeatAt: fresh }, now)).toBeNull();
    expect(ownerGone({ pid: null, host: null, heartbeatAt: null }, now)).toMatch(/no process/);
    expect(ownerGone({ pid: 2 ** 22 + 12345, host: os.hostname(), heartbeatAt: fresh }, now)).toMatch(/is gone/);
    expect(ownerGone({ pid: 1, host: 'other-host', heartbeatAt: new Date(now - 10 * 60_000).toISOString() }, now)).toMatch(/stopped reporting/);
    expect(ownerGone({ pid: 1, host: 'other-host', heartbeatAt: fresh }, now)).toBeNull();
  });
});
