// Names made from free text stay inside their folder and read cleanly (export folder slugs).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveInside, safeFileName, slugFileName } from './safe-path.js';

describe('slugFileName', () => {
  it('turns a run name with separators into a clean slug', () => {
    expect(slugFileName('lathe-tiny-llama · #1-peft')).toBe('lathe-tiny-llama-1-peft');
    expect(slugFileName('lathe-tiny-llama #3 - merged-bf16')).toBe('lathe-tiny-llama-3-merged-bf16');
    expect(slugFileName('faq-v1-gguf-q8_0')).toBe('faq-v1-gguf-q8_0');
    expect(slugFileName('Qwen2.5 0.5B / chat (retrain 2)')).toBe('Qwen2.5-0.5B-chat-retrain-2');
  });

  it('keeps non-Latin letters readable', () => {
    expect(slugFileName('客服问答 · 第2版 #4-peft')).toBe('客服问答-第2版-4-peft');
    expect(slugFileName('Ответы_поддержки')).toBe('Ответы_поддержки');
  });

  it('collapses separators, trims the ends and never escapes the folder', () => {
    expect(slugFileName('  --a   __ b..c --  ')).toBe('a-b.c');
    expect(slugFileName('../../etc/passwd')).toBe('etc-passwd');
    expect(slugFileName('..')).toBe('untitled');
    expect(slugFileName('#·#', 'export')).toBe('export');
    expect(slugFileName('con')).toBe('_con');
    expect(slugFileName('x'.repeat(200))).toHaveLength(80);
    const root = path.resolve('/exports');
    for (const name of ['../x', '/abs', 'C:\\win', '..\\..', 'a/../../b']) {
      expect(path.dirname(resolveInside(root, slugFileName(name)))).toBe(root);
    }
  });

  it('differs from safeFileName, which keeps spaces and escapes punctuation', () => {
    expect(safeFileName('lathe-tiny-llama · #1-peft')).toBe('lathe-tiny-llama _ _1-peft');
  });
});
