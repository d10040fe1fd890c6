// Proposes a built-in template for a model folder from its chat template and family, and warns when a
// choice looks wrong. Heuristic by design; it never renders anything. Warnings are notices (code + params + English,
// TEMPLATE_PROPOSAL_CODES).
import type { Notice } from '../../preload/contract/message-code.js';

/** Every code of this file's notices (the renderer has a `main.<code>` text for each; a test checks). */
export const TEMPLATE_PROPOSAL_CODES = [
  'template.instructWithoutChatTemplate',
  'template.chatFormatOnBaseModel',
  'template.plainOnInstructModel',
  'template.plainOnInstructModelUseJinja',
  'template.ownTemplateDiffers',
] as const;
type ProposalCode = (typeof TEMPLATE_PROPOSAL_CODES)[number];

function warn(code: ProposalCode, params: Notice['params'], message: string): Notice {
  return { code, params, message };
}

export interface ProposalInput {
  readonly chatTemplate: string | null;
  readonly modelType: string;
  readonly architecture: string;
  readonly kind: 'base' | 'instruct';
}

export interface Proposal {
  readonly template: string;
  readonly notices: readonly Notice[];
}

function proposal(template: string, notices: readonly Notice[] = []): Proposal {
  return { template, notices };
}

/** Templates made for base models: plain text, no chat-special tokens. */
export const PLAIN_TEMPLATES = new Set(['default', 'alpaca', 'vicuna', 'empty']);

/** Which built-in reproduces a chat template, judged from the markers it emits. */
export function templateFromChatTemplate(t: string, modelType: string): string | null {
  if (t.includes('<|im_start|>')) {
    if (t.includes('<think>') || modelType === 'qwen3') return 'qwen3';
    if (modelType.startsWith('qwen')) return 'qwen';
    return 'chatml';
  }
  if (t.includes('<|start_header_id|>')) return 'llama3';
  if (t.includes('<<SYS>>')) return 'llama2';
  if (t.includes('[INST]')) return 'mistral';
  if (t.includes('<start_of_turn>')) return 'gemma';
  if (t.includes('<|user|>') && t.includes('<|end|>')) return 'phi';
  if (t.includes('User:') && t.includes('Assistant:')) return 'deepseek';
  return null;
}

export function proposeTemplate(m: ProposalInput): Proposal {
  if (m.kind === 'base') return proposal('default');
  const fromJinja = m.chatTemplate === null ? null : templateFromChatTemplate(m.chatTemplate, m.modelType);
  if (fromJinja !== null) return proposal(fromJinja);
  if (m.chatTemplate !== null) return proposal('jinja');
  return proposal('default', [warn('template.instructWithoutChatTemplate', {}, 'This looks like an instruct model but it has no chat template: check which format it was tuned with.')]);
}

/** Warnings for a template the user picked for a model (the "choice looks wrong" cases). */
export function templateChoiceNotices(template: string, m: ProposalInput): Notice[] {
  const warnings: Notice[] = [];
  const isPlain = PLAIN_TEMPLATES.has(template);
  if (m.kind === 'base' && !isPlain) {
    warnings.push(
      warn(
        'template.chatFormatOnBaseModel',
        { template },
        `The model looks like a base model, but "${template}" is a chat format: its turn markers are untrained for a base model. ` +
          'Use "default" or "alpaca" unless you mean to teach it this chat format.',
      ),
    );
  }
  if (m.kind === 'instruct' && isPlain) {
    const own = m.chatTemplate === null ? null : templateFromChatTemplate(m.chatTemplate, m.modelType);
    const tuned = `The model looks like an instruct model, but "${template}" is not the format it was tuned with`;
    warnings.push(
      own !== null
        ? warn('template.plainOnInstructModel', { template, own }, `${tuned}; "${own}" matches its chat template.`)
        : warn('template.plainOnInstructModelUseJinja', { template }, `${tuned}; use its own chat template ("jinja").`),
    );
  }
  if (m.chatTemplate !== null && !isPlain && template !== 'jinja') {
    const own = templateFromChatTemplate(m.chatTemplate, m.modelType);
    if (own !== null && own !== template && !(own.startsWith('qwen') && template.startsWith('qwen'))) {
      warnings.push(warn('template.ownTemplateDiffers', { own, template }, `The model's own chat template looks like "${own}", not "${template}".`));
    }
  }
  return warnings;
}
