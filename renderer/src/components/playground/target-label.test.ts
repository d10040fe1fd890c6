// Playground target labels are composed and translated in the renderer, without "(run N)".
import { describe, expect, it } from 'vitest';
import { translate } from '../../i18n/translate.js';
import { targetLabel } from './target-label.js';

describe('targetLabel', () => {
  const en = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate('en', key, vars);
  const zh = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate('zh', key, vars);

  it('names a run by its name alone when the name already says the model, with no "(run N)"', () => {
    expect(targetLabel(en, { modelName: 'lathe-tiny-llama', runName: 'lathe-tiny-llama · faq #2' })).toBe('lathe-tiny-llama · faq #2');
  });

  it('adds the base model to a run named by the person, and marks base models, in each language', () => {
    expect(targetLabel(en, { modelName: 'Qwen2.5-0.5B', runName: 'support v1' })).toBe('support v1 (on Qwen2.5-0.5B)');
    expect(targetLabel(zh, { modelName: 'Qwen2.5-0.5B', runName: '客服 v1' })).toBe('客服 v1（基于 Qwen2.5-0.5B）');
    expect(targetLabel(en, { modelName: 'lathe-tiny-llama', runName: null })).toBe('lathe-tiny-llama (base model)');
    expect(targetLabel(zh, { modelName: 'lathe-tiny-llama', runName: null })).toBe('lathe-tiny-llama（基础模型）');
  });
});
