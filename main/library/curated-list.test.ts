import { describe, expect, it } from 'vitest';
import { isRepoId } from '../hub/hub-types.js';
import { curatedList, loadCurated } from './curated-list.js';
import { gpuNote } from './gpu-detect.js';

const NONE = gpuNote('gpu.noneListed', {}, 'nvidia-smi listed no GPU.');

/** Parameter counts as the model cards publish them (billions), to check the shapes copied into curated.json. */
const PUBLISHED: Record<string, number> = {
  'qwen2.5-0.5b-instruct': 0.49,
  'qwen2.5-1.5b-instruct': 1.54,
  'qwen2.5-3b-instruct': 3.09,
  'qwen2.5-7b-instruct': 7.61,
  'qwen2.5-14b-instruct': 14.7,
  'qwen3-0.6b': 0.6,
  'qwen3-1.7b': 1.7,
  'qwen3-4b': 4.0,
  'qwen3-8b': 8.2,
  'qwen3-14b': 14.8,
  'llama-3.2-1b-instruct': 1.24,
  'llama-3.2-3b-instruct': 3.21,
  'llama-3.1-8b-instruct': 8.03,
  'mistral-7b-instruct-v0.3': 7.25,
};

describe('curated list', () => {
  it('names valid, unique models on both hubs and says where its figures come from', () => {
    const doc = loadCurated();
    expect(doc.about).toMatch(/APPROXIMATE/);
    const keys = doc.models.map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const m of doc.models) {
      expect(isRepoId(m.hf), m.hf).toBe(true);
      if (m.modelscope !== null) expect(isRepoId(m.modelscope), m.modelscope).toBe(true);
    }
    expect(doc.models.filter((m) => m.gated).map((m) => m.family)).toEqual(expect.arrayContaining(['Llama 3', 'Mistral']));
  });

  it('says what the figures assume and how the GPU was found, with codes for translation', async () => {
    const list = await curatedList({ gpu: null, note: NONE });
    expect(list).toMatchObject({ gpuNote: 'nvidia-smi listed no GPU.', gpuNoteCode: 'gpu.noneListed', assumptionsCode: 'curated.assumptions', assumptionsParams: { seqLen: 1024, batchSize: 1, loraRank: 16 } });
    expect(list.assumptions).toBe('Sequence length 1024, batch 1, LoRA rank 16 on all linear layers, gradient checkpointing on.');
  });

  it('parameters computed from the shapes are within 2 % of the published counts', async () => {
    const list = await curatedList({ gpu: null, note: NONE });
    for (const [key, billions] of Object.entries(PUBLISHED)) {
      const m = list.models.find((x) => x.key === key)!;
      expect(Math.abs(m.parameters / 1e9 - billions) / billions, key).toBeLessThan(0.02);
    }
  });

  it('needs more VRAM for bigger models (the engine plan); QLoRA less than LoRA (the CUDA engine stores NF4)', async () => {
    const list = await curatedList({ gpu: null, note: NONE });
    const by = (k: string) => list.models.find((m) => m.key === k)!;
    expect(by('qwen2.5-0.5b-instruct').vramLoraBytes!).toBeLessThan(by('qwen2.5-7b-instruct').vramLoraBytes!);
    expect(by('qwen2.5-7b-instruct').vramLoraBytes!).toBeLessThan(by('qwen2.5-14b-instruct').vramLoraBytes!);
    for (const m of list.models) expect(m.vramQloraBytes!, m.key).toBeLessThan(m.vramLoraBytes!);
  });
});
