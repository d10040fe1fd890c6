import { describe, expect, it } from 'vitest';
import { proposeTemplate, templateChoiceNotices, templateFromChatTemplate } from './template-proposal.js';

const base = { chatTemplate: null, modelType: 'llama', architecture: 'LlamaForCausalLM', kind: 'base' as const };

const choice = (template: string, m: Parameters<typeof templateChoiceNotices>[1]) => templateChoiceNotices(template, m).map((n) => n.message);

describe('template proposal', () => {
  it('reads the family from the chat template markers', () => {
    expect(templateFromChatTemplate("{{ '<|im_start|>' }}", 'qwen2')).toBe('qwen');
    expect(templateFromChatTemplate("{{ '<|im_start|>' }}{{ '<think>' }}", 'qwen3')).toBe('qwen3');
    expect(templateFromChatTemplate("{{ '<|im_start|>' }}", 'llama')).toBe('chatml');
    expect(templateFromChatTemplate('<|start_header_id|>', 'llama')).toBe('llama3');
    expect(templateFromChatTemplate('[INST] <<SYS>>', 'llama')).toBe('llama2');
    expect(templateFromChatTemplate('[INST]', 'mistral')).toBe('mistral');
    expect(templateFromChatTemplate('{{ raise }}', 'llama')).toBeNull();
  });

  it('proposes default for base models, the matching built-in or jinja for instruct ones', () => {
    expect(proposeTemplate(base)).toEqual({ template: 'default', notices: [] });
    expect(proposeTemplate({ ...base, kind: 'instruct', chatTemplate: '<|start_header_id|>' }).template).toBe('llama3');
    expect(proposeTemplate({ ...base, kind: 'instruct', chatTemplate: '{{ messages }}' }).template).toBe('jinja');
    expect(proposeTemplate({ ...base, kind: 'instruct' }).notices).toEqual([
      { code: 'template.instructWithoutChatTemplate', params: {}, message: 'This looks like an instruct model but it has no chat template: check which format it was tuned with.' },
    ]);
  });

  it('warns about a chat template on a base model, default on an instruct model, and a foreign family', () => {
    expect(choice('qwen', base)[0]).toMatch(/base model/);
    expect(choice('default', base)).toEqual([]);
    const instruct = { ...base, kind: 'instruct' as const, chatTemplate: '<|start_header_id|>' };
    expect(choice('default', instruct)[0]).toMatch(/"llama3" matches/);
    expect(choice('qwen', instruct).join(' ')).toMatch(/looks like "llama3"/);
    expect(choice('llama3', instruct)).toEqual([]);
  });

  it('gives each warning a code and the ids it names as params', () => {
    const instruct = { ...base, kind: 'instruct' as const, chatTemplate: '<|start_header_id|>' };
    expect(templateChoiceNotices('qwen', base).map((n) => [n.code, n.params])).toEqual([['template.chatFormatOnBaseModel', { template: 'qwen' }]]);
    expect(templateChoiceNotices('default', instruct).map((n) => [n.code, n.params])).toEqual([['template.plainOnInstructModel', { template: 'default', own: 'llama3' }]]);
    expect(templateChoiceNotices('alpaca', { ...base, kind: 'instruct' }).map((n) => n.code)).toEqual(['template.plainOnInstructModelUseJinja']);
    expect(templateChoiceNotices('qwen', instruct).map((n) => [n.code, n.params])).toEqual([['template.ownTemplateDiffers', { own: 'llama3', template: 'qwen' }]]);
  });
});
