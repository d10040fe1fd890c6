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

describe('parseNvidiaSmi', () => {
  it('reads name and total memory per GPU', () => {
    expect(parseNvidiaSmi('NVIDIA GeForce RTX 4090, 24564 MiB\nNVIDIA H200, 143771 MiB\n')).toEqual([
      { index: 0, name: 'NVIDIA GeForce RTX 4090', memoryBytes: 24564 * 1024 * 1024 },
      { index: 1, name: 'NVIDIA H200', memoryBytes: 143771 * 1024 * 1024 },
    ]);
    expect(parseNvidiaSmi('')).toEqual([]);
  });
});
