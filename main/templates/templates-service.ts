// The `templates` domain in main: built-in, jinja and user-defined templates; saving user ones to the workspace;
// proposing one for a model folder. Rendering is record-encoder's job.
import { errorText, LatheError } from '../../preload/contract/errors.js';
import {
  TemplateSpec,
  type GetTemplateRequest,
  type ITemplatesService,
  type ListTemplatesRequest,
  type ProposalDto,
  type ProposeTemplateRequest,
  type RemoveTemplateRequest,
  type SaveTemplateRequest,
  type TemplateDto,
  type TemplateSummaryDto,
} from '../../preload/contract/templates.js';
import { TemplatesStore } from '../db/templates-store.js';
import { readModelFolder } from '../models/model-folder.js';
import { guessModelKind } from '../models/model-kind.js';
import type { ServiceContext } from '../services/service-context.js';
import { proposeTemplate, templateChoiceNotices } from './template-proposal.js';
import { builtinTemplate, isBuiltinName, JINJA_TEMPLATE, listTemplates } from './template-registry.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const TEMPLATES_ERROR_CODES = ['err.template.notFound', 'err.template.builtIn'] as const;
const errText = errorText(TEMPLATES_ERROR_CODES);

export class TemplatesService implements ITemplatesService {
  private readonly store: TemplatesStore;

  constructor(ctx: ServiceContext) {
    this.store = new TemplatesStore(ctx.workspace.db);
  }

  userTemplates(): TemplateSpec[] {
    return this.store.list();
  }

  async list(_r: ListTemplatesRequest): Promise<readonly TemplateSummaryDto[]> {
    return listTemplates(this.store.list());
  }

  async get({ name }: GetTemplateRequest): Promise<TemplateDto> {
    if (name === JINJA_TEMPLATE) return { name, source: 'jinja', description: "The model's own chat template.", spec: null, jinja: null };
    const user = this.store.get(name);
    if (user) return { name, source: 'user', description: user.description, spec: user, jinja: null };
    const builtin = builtinTemplate(name);
    if (builtin) return { name, source: 'builtin', description: builtin.description, spec: builtin, jinja: null };
    throw new LatheError('not_found', `There is no template named "${name}".`, undefined, errText('err.template.notFound', { name }));
  }

  async save({ spec }: SaveTemplateRequest): Promise<TemplateDto> {
    const parsed = TemplateSpec.parse(spec);
    if (isBuiltinName(parsed.name)) throw new LatheError('already_exists', `"${parsed.name}" is a built-in template: save yours under another name.`, undefined, errText('err.template.builtIn', { name: parsed.name }));
    this.store.save(parsed);
    return { name: parsed.name, source: 'user', description: parsed.description, spec: parsed, jinja: null };
  }

  async remove({ name }: RemoveTemplateRequest): Promise<{ readonly removed: true }> {
    this.store.remove(name);
    return { removed: true };
  }

  async propose({ modelPath, template }: ProposeTemplateRequest): Promise<ProposalDto> {
    const f = await readModelFolder(modelPath);
    const kind = guessModelKind(f.name, f.tokenizerConfig, f.generationConfig, f.chatTemplate).kind;
    const input = { chatTemplate: f.chatTemplate, modelType: f.config.model_type ?? '', architecture: f.architecture, kind };
    if (template === undefined) {
      const p = proposeTemplate(input);
      return { template: p.template, warnings: [...p.notices] };
    }
    return { template, warnings: templateChoiceNotices(template, input) };
  }
}
