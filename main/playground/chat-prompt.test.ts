// Chat prompts for generation: the template's rendering up to the answer, its stop words, clear errors.
import { describe, expect, it } from 'vitest';
import { defaultModelPath } from '../models/default-model.js';
import { buildChatPrompt } from './chat-prompt.js';

const MODEL = defaultModelPath();

describe('buildChatPrompt', () => {
  it('renders system, history and the question, ending where the answer begins', async () => {
    const p = await buildChatPrompt({
      model: MODEL,
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'Reset my password?' },
      ],
    });
    expect(p.templateName).toBe('chatml');
    expect(p.text).toBe('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nReset my password?<|im_end|>\n<|im_start|>assistant\n');
    expect(p.ids.at(-1)).not.toBe(4095);
    expect(p.stopTokenIds).toEqual(expect.arrayContaining([4095, 4093]));
    expect(p.stopWords).toContain('<|im_end|>');
  });
  it('a named template wins over the proposed one', async () => {
    const p = await buildChatPrompt({ model: MODEL, template: 'alpaca', messages: [{ role: 'user', content: 'Q' }] });
    expect(p.templateName).toBe('alpaca');
    expect(p.text).toContain('### Instruction:\nQ');
    expect(p.text.endsWith('### Response:\n')).toBe(true);
  });
  it('refuses a conversation that does not end with the user', async () => {
    await expect(buildChatPrompt({ model: MODEL, messages: [{ role: 'user', content: 'Q' }, { role: 'assistant', content: 'A' }] })).rejects.toThrow(/end with a user message/);
    await expect(buildChatPrompt({ model: MODEL, messages: [] })).rejects.toThrow(/question/);
  });
  it('a folder that is not a model says so', async () => {
    await expect(buildChatPrompt({ model: '/nonexistent/model', messages: [{ role: 'user', content: 'Q' }] })).rejects.toThrow(/does not exist/);
  });
});
