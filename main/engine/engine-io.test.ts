// The engine's stdout framing, exit-code mapping and nvidia-smi parsing, without starting an engine.
import { describe, expect, it } from 'vitest';
import { engineFailure } from './engine-exit.js';
import { parseNvidiaSmi } from './gpu-info.js';
import { JsonLineParser } from './json-lines.js';

describe('JsonLineParser', () => {
  it('joins partial lines, strips CR, and hands back non-JSON as noise', () => {
    const p = new JsonLineParser();
    expect(p.push('{"event":"st')).toEqual([]);
    const a = p.push('ep","step":1}\r\nwarming up\n\n{"event":"eval"');
    expect(a.map((l) => l.kind)).toEqual(['json', 'noise']);
    expect(a[0]).toMatchObject({ kind: 'json', value: { event: 'step', step: 1 } });
    expect(a[1]).toEqual({ kind: 'noise', raw: 'warming up' });
    expect(p.push(',"eval_loss":2.5}\n{broken json\n[1,2]\n')).toEqual([
      { kind: 'json', value: { event: 'eval', eval_loss: 2.5 }, raw: '{"event":"eval","eval_loss":2.5}' },
      { kind: 'noise', raw: '{broken json' },
      { kind: 'noise', raw: '[1,2]' },
    ]);
    expect(p.push('{"event":"done"}')).toEqual([]);
    expect(p.end()).toMatchObject([{ kind: 'json', value: { event: 'done' } }]);
  });
});

describe('engineFailure', () => {
  it('is null for a clean exit', () => {
    expect(engineFailure({ exitCode: 0, signal: null, lastError: null, stderrTail: '' })).toBeNull();
  });

  it("prefers the engine's own error event", () => {
    const e = engineFailure({ exitCode: 6, signal: null, lastError: { code: 'numeric', message: 'loss is NaN at step 3', hint: 'lower learning_rate' }, stderrTail: '' });
    expect(e).toEqual({ code: 'numeric', message: 'loss is NaN at step 3', hint: 'lower learning_rate' });
  });

  it('maps exit codes without an error event and names a kill', () => {
    expect(engineFailure({ exitCode: 7, signal: null, lastError: null, stderrTail: '' })?.code).toBe('out_of_memory');
    const killed = engineFailure({ exitCode: null, signal: 'SIGKILL', lastError: null, stderrTail: 'x\ny\nlast words\n' });
    expect(killed?.code).toBe('killed');
    expect(killed?.message).toMatch(/SIGKILL.*last words/);
    expect(engineFailure({ exitCode: 134, signal: null, lastError: null, stderrTail: 'assertion failed' })).toMatchObject({ code: 'crashed', message: expect.stringMatching(/134.*assertion failed/) });
  });

  it('gives its own hints a code for translation; the engine’s own hint stays text only', () => {
    expect(engineFailure({ exitCode: 7, signal: null, lastError: null, stderrTail: '' })).toMatchObject({ hint: 'Lower the batch size or cutoff length, or use QLoRA.', hintCode: 'runHint.lowerMemory' });
    expect(engineFailure({ exitCode: 6, signal: null, lastError: { message: 'loss is NaN' }, stderrTail: '' })).toMatchObject({ hintCode: 'runHint.lowerLearningRate' });
    expect(engineFailure({ exitCode: null, signal: 'SIGKILL', lastError: null, stderrTail: '' })?.hintCode).toBe('runHint.killedLowerMemory');
    expect(engineFailure({ exitCode: 6, signal: null, lastError: { message: 'x', hint: 'lower learning_rate' }, stderrTail: '' })).not.toHaveProperty('hintCode');
  });
});

describe('memory plan errors', () => {
  const details = {
    needed_mib: 45690,
    available_mib: 24576,
    limit: 'max_vram_gb 24',
    plan: { weights_mib: 15320 },
    fits: [{ gradient_checkpointing: true, needed_mib: 24000 }, { per_device_train_batch_size: 1, gradient_checkpointing: true, needed_mib: 19000 }],
  };

  it('turns the engine’s out_of_memory details into a translatable hint with the numbers and the settings that fit', () => {
    const e = engineFailure({ exitCode: 7, signal: null, lastError: { code: 'out_of_memory', message: 'the run needs about 44.6 GiB', hint: 'settings that fit: …', details }, stderrTail: '' });
    expect(e).toMatchObject({ code: 'out_of_memory', message: 'the run needs about 44.6 GiB', hintCode: 'runHint.memoryFits' });
    expect(e?.hintParams).toEqual({
      need: '44.6',
      have: '24.0',
      limit: 'max_vram_gb 24',
      fits: 'gradient_checkpointing: true (23.4 GiB); per_device_train_batch_size: 1, gradient_checkpointing: true (18.6 GiB)',
    });
    expect(e?.hint).toBe(
      'It needs about 44.6 GiB and 24.0 GiB are available (max_vram_gb 24). Settings that fit: gradient_checkpointing: true (23.4 GiB); per_device_train_batch_size: 1, gradient_checkpointing: true (18.6 GiB).',
    );
  });

  it('says when nothing fits, and keeps the engine’s own hint when there are no details', () => {
    const none = engineFailure({ exitCode: 7, signal: null, lastError: { code: 'out_of_memory', message: 'm', details: { ...details, fits: [] } }, stderrTail: '' });
    expect(none).toMatchObject({ hintCode: 'runHint.memoryNoFit', hintParams: { need: '44.6', have: '24.0', limit: 'max_vram_gb 24' } });
    const plain = engineFailure({ exitCode: 7, signal: null, lastError: { code: 'out_of_memory', message: 'out of device memory', hint: 'lower the batch' }, stderrTail: '' });
    expect(plain).toEqual({ code: 'out_of_memory', message: 'out of device memory', hint: 'lower the batch' });
  });
});

describe('parseNvidiaSmi', () => {
  it('reads name and total memory per GPU', () => {
    expect(parseNvidiaSmi('NVIDIA GeForce RTX 4090, 24564 MiB\nNVIDIA H200, 143771 MiB\n')).toEqual([
      { index: 0, name: 'NVIDIA GeForce RTX 4090', memoryBytes: 24564 * 1024 * 1024 },
      { index: 1, name: 'NVIDIA H200', memoryBytes: 143771 * 1024 * 1024 },
    ]);
    expect(parseNvidiaSmi('')).toEqual([]);
  });
});
