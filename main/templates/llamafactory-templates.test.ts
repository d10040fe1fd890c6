// Exact renderings of LLaMA-Factory's templates (read from template.py's register_template calls), as
// (prompt | response) per turn with BOS/EOS written as <s>/</s>.
import { describe, expect, it } from 'vitest';
import { LLAMAFACTORY_TEMPLATES } from './llamafactory-templates.js';
import { buildTurns, type Element, type TurnMessage } from './template-turns.js';

const spec = (name: string) => {
  const s = LLAMAFACTORY_TEMPLATES.find((t) => t.name === name);
  if (!s) throw new Error(name);
  return s;
};
const text = (els: Element[]) => els.map((e) => ('text' in e ? e.text : 'bos' in e ? '<s>' : 'eos' in e ? '</s>' : e.token)).join('');
const TWO: TurnMessage[] = [
  { role: 'user', content: 'Q1' },
  { role: 'assistant', content: 'A1' },
  { role: 'user', content: 'Q2' },
  { role: 'assistant', content: 'A2' },
];
function render(name: string, system?: string, msgs: TurnMessage[] = TWO, o = {}): string[] {
  return buildTurns(spec(name), msgs, system, o).flatMap((t) => [text(t.source), text(t.target)]);
}

const IM = (r: string, c: string) => `<|im_start|>${r}\n${c}<|im_end|>\n`;

describe('LLaMA-Factory templates render exactly', () => {
  it('qwen (default system prompt)', () => {
    expect(render('qwen')).toEqual([
      IM('system', 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.') + IM('user', 'Q1') + '<|im_start|>assistant\n',
      'A1<|im_end|>\n',
      IM('user', 'Q2') + '<|im_start|>assistant\n',
      'A2<|im_end|>\n',
    ]);
  });
  it('qwen with a record system prompt', () => {
    expect(render('qwen', 'SYS')[0]).toBe(IM('system', 'SYS') + IM('user', 'Q1') + '<|im_start|>assistant\n');
  });
  it('chatml has no default system', () => {
    expect(render('chatml')).toEqual([IM('user', 'Q1') + '<|im_start|>assistant\n', 'A1<|im_end|>\n', IM('user', 'Q2') + '<|im_start|>assistant\n', 'A2<|im_end|>\n']);
  });
  it('qwen3 thinking on: empty thought trained, in front of every answer', () => {
    expect(render('qwen3')).toEqual([
      IM('user', 'Q1') + '<|im_start|>assistant\n',
      '<think>\n\n</think>\n\nA1<|im_end|>\n',
      IM('user', 'Q2') + '<|im_start|>assistant\n',
      '<think>\n\n</think>\n\nA2<|im_end|>\n',
    ]);
    const turns = buildTurns(spec('qwen3'), TWO, undefined);
    expect(turns[0]!.target[0]).toEqual({ text: '<think>\n\n</think>\n\n' });
  });
  it('qwen3 thinking off: thoughts removed, empty thought in the prompt', () => {
    const msgs: TurnMessage[] = [
      { role: 'user', content: 'Q1' },
      { role: 'assistant', content: '<think>\nreasoning\n</think>\n\nA1' },
    ];
    expect(render('qwen3', undefined, msgs, { enableThinking: false })).toEqual([
      IM('user', 'Q1') + '<|im_start|>assistant\n<think>\n\n</think>\n\n',
      'A1<|im_end|>\n',
    ]);
    expect(render('qwen3', undefined, msgs)).toEqual([IM('user', 'Q1') + '<|im_start|>assistant\n', '<think>\nreasoning\n</think>\n\nA1<|im_end|>\n']);
  });
  it('qwen3 with mask_history drops history thoughts and adds the empty one to the last turn only', () => {
    const msgs: TurnMessage[] = [
      { role: 'user', content: 'Q1' },
      { role: 'assistant', content: '<think>\nold\n</think>\n\nA1' },
      { role: 'user', content: 'Q2' },
      { role: 'assistant', content: 'A2' },
    ];
    expect(render('qwen3', undefined, msgs, { maskHistory: true })).toEqual([
      IM('user', 'Q1') + '<|im_start|>assistant\n',
      'A1<|im_end|>\n',
      IM('user', 'Q2') + '<|im_start|>assistant\n',
      '<think>\n\n</think>\n\nA2<|im_end|>\n',
    ]);
  });
  it('qwen3_nothink', () => {
    expect(render('qwen3_nothink').slice(0, 2)).toEqual([IM('user', 'Q1') + '<|im_start|>assistant\n', 'A1<|im_end|>\n']);
  });
  it('llama3', () => {
    const H = (r: string) => `<|start_header_id|>${r}<|end_header_id|>\n\n`;
    expect(render('llama3', 'SYS')).toEqual([
      '<s>' + H('system') + 'SYS<|eot_id|>' + H('user') + 'Q1<|eot_id|>' + H('assistant'),
      'A1<|eot_id|>',
      H('user') + 'Q2<|eot_id|>' + H('assistant'),
      'A2<|eot_id|>',
    ]);
  });
  it('llama2 fuses the system prompt into the first [INST] and puts BOS before every turn', () => {
    expect(render('llama2', 'SYS')).toEqual(['<s>[INST] <<SYS>>\nSYS\n<</SYS>>\n\nQ1 [/INST]', 'A1</s>', '<s>[INST] Q2 [/INST]', 'A2</s>']);
  });
  it('mistral', () => {
    expect(render('mistral', 'SYS')).toEqual(['<s>[INST] SYS\n\nQ1[/INST]', ' A1</s>', '[INST] Q2[/INST]', ' A2</s>']);
    expect(render('mistral')[0]).toBe('<s>[INST] Q1[/INST]');
  });
  it('gemma', () => {
    expect(render('gemma', 'SYS')).toEqual([
      '<s><start_of_turn>user\nSYS\n\nQ1<end_of_turn>\n<start_of_turn>model\n',
      'A1<end_of_turn>\n',
      '<start_of_turn>user\nQ2<end_of_turn>\n<start_of_turn>model\n',
      'A2<end_of_turn>\n',
    ]);
  });
  it('phi', () => {
    expect(render('phi', 'SYS')).toEqual(['<|system|>\nSYS<|end|>\n<|user|>\nQ1<|end|>\n<|assistant|>\n', 'A1<|end|>\n', '<|user|>\nQ2<|end|>\n<|assistant|>\n', 'A2<|end|>\n']);
  });
  it('deepseek', () => {
    expect(render('deepseek', 'SYS')).toEqual(['<s>SYS\n\nUser: Q1\n\nAssistant:', 'A1</s>', 'User: Q2\n\nAssistant:', 'A2</s>']);
  });
  it('alpaca (default system prompt, EOS then blank line)', () => {
    expect(render('alpaca')).toEqual([
      'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nQ1\n\n### Response:\n',
      'A1</s>\n\n',
      '### Instruction:\nQ2\n\n### Response:\n',
      'A2</s>\n\n',
    ]);
  });
  it('vicuna', () => {
    expect(render('vicuna')).toEqual([
      "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions.USER: Q1 ASSISTANT:",
      'A1</s>',
      'USER: Q2 ASSISTANT:',
      'A2</s>',
    ]);
  });
  it('default', () => {
    expect(render('default', 'SYS')).toEqual(['System: SYS</s>\nHuman: Q1</s>\nAssistant:', 'A1</s>\n', 'Human: Q2</s>\nAssistant:', 'A2</s>\n']);
  });
  it('empty', () => {
    expect(render('empty', 'SYS')).toEqual(['SYSQ1', 'A1', 'Q2', 'A2']);
  });
  it('breeze uses efficient EOS: no EOS in the assistant format', () => {
    expect(render('breeze')).toEqual(['<s>[INST] Q1 [/INST] ', 'A1', '[INST] Q2 [/INST] ', 'A2']);
  });
  it('keeps each slot a separate element, as LLaMA-Factory tokenizes them one by one', () => {
    const t = buildTurns(spec('default'), TWO, 'SYS')[0]!;
    expect(t.source).toEqual([{ text: 'System: SYS' }, { eos: true }, { text: '\n' }, { text: 'Human: Q1' }, { eos: true }, { text: '\nAssistant:' }]);
  });
  it('tool results use the observation format', () => {
    const msgs: TurnMessage[] = [
      { role: 'user', content: 'Q' },
      { role: 'assistant', content: 'A' },
      { role: 'observation', content: '{"t": 1}' },
      { role: 'assistant', content: 'B' },
    ];
    expect(render('qwen', 'S', msgs)[2]).toBe('<|im_start|>user\n<tool_response>\n{"t": 1}\n</tool_response><|im_end|>\n<|im_start|>assistant\n');
  });
});
