// LLaMA-Factory's built-in templates (src/llamafactory/data/template.py, `register_template` calls) as data,
// with register_template's defaults applied. Behaviour reproduced from reading the source; no code copied.
import type { Slot, TemplateSpec } from '../../preload/contract/templates.js';

const EOS: Slot = { eos: true };
const BOS: Slot = { bos: true };

interface Registration {
  readonly description: string;
  readonly formatUser?: Slot[];
  readonly formatAssistant?: Slot[];
  readonly formatSystem?: Slot[];
  readonly formatObservation?: Slot[];
  readonly formatPrefix?: Slot[];
  readonly formatFunction?: Slot[];
  readonly toolFormat?: string;
  readonly defaultSystem?: string;
  readonly stopWords?: string[];
  readonly efficientEos?: boolean;
  readonly replaceEos?: boolean;
  readonly systemStyle?: 'separate' | 'fused';
  readonly reasoning?: boolean;
}

/** register_template's defaults: user/system `{{content}}`, assistant `{{content}}` + EOS unless efficient_eos,
 *  observation falls back to the user format, no prefix, thought words `<think>\n` … `\n</think>\n\n`. */
function register(name: string, r: Registration): TemplateSpec {
  const efficientEos = r.efficientEos ?? false;
  const formatUser = r.formatUser ?? ['{{content}}'];
  return {
    name,
    description: r.description,
    formatUser,
    formatAssistant: r.formatAssistant ?? (efficientEos ? ['{{content}}'] : ['{{content}}', EOS]),
    formatSystem: r.formatSystem ?? ['{{content}}'],
    formatObservation: r.formatObservation ?? formatUser,
    formatPrefix: r.formatPrefix ?? [],
    ...(r.formatFunction ? { formatFunction: r.formatFunction } : {}),
    toolFormat: r.toolFormat ?? 'default',
    defaultSystem: r.defaultSystem ?? '',
    stopWords: r.stopWords ?? [],
    efficientEos,
    replaceEos: r.replaceEos ?? false,
    systemStyle: r.systemStyle ?? 'separate',
    reasoning: r.reasoning ?? false,
    thoughtWords: ['<think>\n', '\n</think>\n\n'],
  };
}

const IM_USER = '<|im_start|>user\n{{content}}<|im_end|>\n<|im_start|>assistant\n';
const IM_ASSISTANT = '{{content}}<|im_end|>\n';
const IM_SYSTEM = '<|im_start|>system\n{{content}}<|im_end|>\n';
const QWEN_OBSERVATION = '<|im_start|>user\n<tool_response>\n{{content}}\n</tool_response><|im_end|>\n<|im_start|>assistant\n';

export const LLAMAFACTORY_TEMPLATES: readonly TemplateSpec[] = [
  register('alpaca', {
    description: 'Stanford Alpaca instruction format, for base models.',
    formatUser: ['### Instruction:\n{{content}}\n\n### Response:\n'],
    formatAssistant: ['{{content}}', EOS, '\n\n'],
    defaultSystem: 'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n',
  }),
  register('breeze', {
    description: 'Breeze (Mistral-style [INST] with efficient EOS).',
    formatUser: ['[INST] {{content}} [/INST] '],
    formatPrefix: [BOS],
    efficientEos: true,
  }),
  register('chatml', {
    description: 'ChatML (<|im_start|> … <|im_end|>) without a default system prompt.',
    formatUser: [IM_USER],
    formatAssistant: [IM_ASSISTANT],
    formatSystem: [IM_SYSTEM],
    formatObservation: ['<|im_start|>tool\n{{content}}<|im_end|>\n<|im_start|>assistant\n'],
    stopWords: ['<|im_end|>', '<|im_start|>'],
    replaceEos: true,
  }),
  register('deepseek', {
    description: 'DeepSeek LLM chat.',
    formatUser: ['User: {{content}}\n\nAssistant:'],
    formatSystem: ['{{content}}\n\n'],
    formatPrefix: [BOS],
  }),
  register('deepseek3', {
    description: 'DeepSeek V3 / R1-distill chat.',
    formatUser: ['<｜User｜>{{content}}<｜Assistant｜>'],
    formatPrefix: [BOS],
  }),
  register('default', {
    description: 'LLaMA-Factory default (Human:/Assistant: with EOS), for base models.',
    formatUser: ['Human: {{content}}', EOS, '\nAssistant:'],
    formatAssistant: ['{{content}}', EOS, '\n'],
    formatSystem: ['System: {{content}}', EOS, '\n'],
  }),
  register('empty', {
    description: 'No formatting at all: prompt and answer concatenated.',
    formatAssistant: ['{{content}}'],
  }),
  register('gemma', {
    description: 'Gemma / Gemma 2 (system text fused into the first user turn).',
    formatUser: ['<start_of_turn>user\n{{content}}<end_of_turn>\n<start_of_turn>model\n'],
    formatAssistant: ['{{content}}<end_of_turn>\n'],
    formatSystem: ['{{content}}\n\n'],
    formatObservation: ['<start_of_turn>tool\n{{content}}<end_of_turn>\n<start_of_turn>model\n'],
    formatPrefix: [BOS],
    stopWords: ['<end_of_turn>'],
    replaceEos: true,
    systemStyle: 'fused',
  }),
  register('llama2', {
    description: 'Llama 2 chat ([INST] with <<SYS>> inside the first user turn).',
    formatUser: [BOS, '[INST] {{content}} [/INST]'],
    formatSystem: ['<<SYS>>\n{{content}}\n<</SYS>>\n\n'],
    systemStyle: 'fused',
  }),
  register('llama3', {
    description: 'Llama 3 / 3.1 / 3.2 instruct.',
    formatUser: ['<|start_header_id|>user<|end_header_id|>\n\n{{content}}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n'],
    formatAssistant: ['{{content}}<|eot_id|>'],
    formatSystem: ['<|start_header_id|>system<|end_header_id|>\n\n{{content}}<|eot_id|>'],
    formatObservation: ['<|start_header_id|>ipython<|end_header_id|>\n\n{{content}}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n'],
    formatFunction: ['{{content}}<|eot_id|>'],
    toolFormat: 'llama3',
    formatPrefix: [BOS],
    stopWords: ['<|eot_id|>', '<|eom_id|>'],
    replaceEos: true,
  }),
  register('mistral', {
    description: 'Mistral instruct ([INST] … [/INST], system text fused into the first user turn).',
    formatUser: ['[INST] {{content}}[/INST]'],
    formatAssistant: [' {{content}}', EOS],
    formatSystem: ['{{content}}\n\n'],
    formatObservation: ['[TOOL_RESULTS] {"content": {{content}}}[/TOOL_RESULTS]'],
    formatFunction: ['[TOOL_CALLS] {{content}}', EOS],
    toolFormat: 'mistral',
    formatPrefix: [BOS],
    systemStyle: 'fused',
  }),
  register('phi', {
    description: 'Phi-3 instruct.',
    formatUser: ['<|user|>\n{{content}}<|end|>\n<|assistant|>\n'],
    formatAssistant: ['{{content}}<|end|>\n'],
    formatSystem: ['<|system|>\n{{content}}<|end|>\n'],
    stopWords: ['<|end|>'],
    replaceEos: true,
  }),
  register('qwen', {
    description: 'Qwen / Qwen2 / Qwen2.5 instruct (ChatML with Qwen\'s default system prompt).',
    formatUser: [IM_USER],
    formatAssistant: [IM_ASSISTANT],
    formatSystem: [IM_SYSTEM],
    formatObservation: [QWEN_OBSERVATION],
    formatFunction: [IM_ASSISTANT],
    toolFormat: 'qwen',
    defaultSystem: 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.',
    stopWords: ['<|im_end|>'],
    replaceEos: true,
  }),
  register('qwen3', {
    description: 'Qwen3 with thinking (adds an empty <think></think> to answers that have none).',
    formatUser: [IM_USER],
    formatAssistant: [IM_ASSISTANT],
    formatSystem: [IM_SYSTEM],
    formatObservation: [QWEN_OBSERVATION],
    formatFunction: [IM_ASSISTANT],
    toolFormat: 'qwen',
    stopWords: ['<|im_end|>'],
    replaceEos: true,
    reasoning: true,
  }),
  register('qwen3_nothink', {
    description: 'Qwen3 without thinking (plain ChatML, no thought block added).',
    formatUser: [IM_USER],
    formatAssistant: [IM_ASSISTANT],
    formatSystem: [IM_SYSTEM],
    formatObservation: [QWEN_OBSERVATION],
    formatFunction: [IM_ASSISTANT],
    toolFormat: 'qwen',
    stopWords: ['<|im_end|>'],
    replaceEos: true,
  }),
  register('vicuna', {
    description: 'Vicuna v1.1 (USER:/ASSISTANT:), for base models.',
    formatUser: ['USER: {{content}} ASSISTANT:'],
    defaultSystem:
      'A chat between a curious user and an artificial intelligence assistant. ' +
      "The assistant gives helpful, detailed, and polite answers to the user's questions.",
  }),
];
