import { describe, expect, it } from 'vitest';
import { selectModelFiles } from './file-selection.js';
import { encodePath, isRepoId, normaliseEndpoint } from './hub-types.js';
import { ProgressMeter } from './progress-meter.js';

describe('hub names and endpoints', () => {
  it('accepts owner/name model ids only', () => {
    expect(isRepoId('Qwen/Qwen2.5-7B-Instruct')).toBe(true);
    expect(isRepoId('LLM-Research/Meta-Llama-3.1-8B-Instruct')).toBe(true);
    for (const bad of ['Qwen', 'a/b/c', '../x', 'a/..', 'a/.hidden', '', 'a b/c', 'a/b?x=1']) expect(isRepoId(bad)).toBe(false);
  });

  it('normalises endpoints and refuses what is not a plain http(s) base URL', () => {
    expect(normaliseEndpoint(' https://hf-mirror.com/ ')).toBe('https://hf-mirror.com');
    expect(normaliseEndpoint('http://127.0.0.1:8080/hub//')).toBe('http://127.0.0.1:8080/hub');
    expect(() => normaliseEndpoint('ftp://x')).toThrow(/http/);
    expect(() => normaliseEndpoint('https://user:pw@x')).toThrow(/token/);
    expect(() => normaliseEndpoint('https://x/?a=1')).toThrow(/query/);
    expect(() => normaliseEndpoint('nonsense')).toThrow(/not a URL/);
  });

  it('encodes each path segment', () => {
    expect(encodePath('a b/c?d')).toBe('a%20b/c%3Fd');
  });
});

describe('file selection', () => {
  it('keeps configs, tokenizer files and safetensors at the top level only', () => {
    const f = (path: string) => ({ path, size: 1, sha256: null, gitSha1: null });
    const picked = selectModelFiles(['README.md', 'config.json', 'model-00002-of-00002.safetensors', 'model-00001-of-00002.safetensors', 'model.safetensors.index.json', 'pytorch_model.bin', 'original/model.safetensors', 'tokenizer.model', 'merges.txt', 'vocab.json', 'LICENSE', 'generation_config.json'].map(f));
    expect(picked.map((x) => x.path)).toEqual(['config.json', 'generation_config.json', 'merges.txt', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json', 'tokenizer.model', 'vocab.json']);
  });
});

describe('progress meter', () => {
  it('measures speed over the window and derives the time left', () => {
    const m = new ProgressMeter(5000);
    expect(m.eta(100)).toBeNull();
    m.sample(0, 0);
    m.sample(1000, 1_000_000);
    m.sample(2000, 2_000_000);
    expect(m.speed()).toBe(1_000_000);
    expect(m.eta(5_000_000)).toBe(5);
    m.sample(10_000, 2_000_000);
    expect(m.speed()).toBe(0);
  });
});
