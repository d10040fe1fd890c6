// Resolves a template name to something the encoder can render: a LLaMA-Factory built-in, a user-defined
// template from the workspace, or "jinja" (the model's own chat_template). Stores nothing itself.
import { LatheError } from '../../preload/contract/errors.js';
import type { TemplateSpec, TemplateSummaryDto } from '../../preload/contract/templates.js';
import { LLAMAFACTORY_TEMPLATES } from './llamafactory-templates.js';
import type { ResolvedTemplate } from './record-encoder.js';

export const JINJA_TEMPLATE = 'jinja';

const BUILTINS = new Map(LLAMAFACTORY_TEMPLATES.map((t) => [t.name, t]));

export function builtinTemplate(name: string): TemplateSpec | undefined {
  return BUILTINS.get(name);
}

export function listTemplates(user: readonly TemplateSpec[]): TemplateSummaryDto[] {
  return [
    { name: JINJA_TEMPLATE, source: 'jinja', description: "The model's own chat template (tokenizer_config.json)." },
    ...LLAMAFACTORY_TEMPLATES.map((t) => ({ name: t.name, source: 'builtin' as const, description: t.description })),
    ...user.map((t) => ({ name: t.name, source: 'user' as const, description: t.description })),
  ];
}

export function resolveTemplate(name: string, chatTemplate: string | null, user: readonly TemplateSpec[]): ResolvedTemplate {
  if (name === JINJA_TEMPLATE) {
    if (chatTemplate === null) throw new LatheError('bad_input', 'This model has no chat template: pick a built-in template instead of "jinja".');
    return { kind: 'jinja', name, source: chatTemplate };
  }
  const spec = user.find((t) => t.name === name) ?? BUILTINS.get(name);
  if (!spec) {
    throw new LatheError('not_found', `There is no template named "${name}".`, { available: [JINJA_TEMPLATE, ...BUILTINS.keys(), ...user.map((t) => t.name)] });
  }
  return { kind: 'spec', spec };
}

export function isBuiltinName(name: string): boolean {
  return name === JINJA_TEMPLATE || BUILTINS.has(name);
}
