// The `templates` domain: prompt templates (LLaMA-Factory's built-ins, the model's own jinja chat template,
// user-defined ones saved in the workspace). Types and zod schemas only; rendering lives in main/templates.
import { z } from 'zod';
import type { DomainContract } from './define.js';
import { Notice } from './message-code.js';

/** A template slot: literal text (with `{{content}}` / `{{idx}}` placeholders) or a special token by role or name. */
export const Slot = z.union([
  z.string(),
  z.object({ bos: z.literal(true) }).strict(),
  z.object({ eos: z.literal(true) }).strict(),
  z.object({ token: z.string().min(1) }).strict(),
]);
export type Slot = z.infer<typeof Slot>;

const TemplateName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'Template names use letters, digits, "_", "." and "-".');

/** A template in LLaMA-Factory's terms (`register_template`), with its defaults already applied. */
export const TemplateSpec = z
  .object({
    name: TemplateName,
    description: z.string().max(500).default(''),
    formatUser: z.array(Slot),
    formatAssistant: z.array(Slot),
    formatSystem: z.array(Slot),
    formatObservation: z.array(Slot),
    formatPrefix: z.array(Slot),
    /** Function-call turns; absent means the assistant format (register_template's default). */
    formatFunction: z.array(Slot).optional(),
    /** LLaMA-Factory's tool_format for the tool list and function calls ('default', 'qwen', …). */
    toolFormat: z.string().min(1).max(32).default('default'),
    defaultSystem: z.string(),
    stopWords: z.array(z.string()),
    efficientEos: z.boolean(),
    replaceEos: z.boolean(),
    /** 'fused': the system text goes inside the first user turn (LLaMA-Factory's Llama2Template). */
    systemStyle: z.enum(['separate', 'fused']),
    /** LLaMA-Factory's ReasoningTemplate: adds an empty thought to assistant turns that have none. */
    reasoning: z.boolean(),
    thoughtWords: z.tuple([z.string(), z.string()]),
  })
  .strict();
export type TemplateSpec = z.infer<typeof TemplateSpec>;
export type TemplateSpecInput = z.input<typeof TemplateSpec>;

export const TemplateSummaryDto = z.object({
  name: z.string(),
  source: z.enum(['builtin', 'user', 'jinja']),
  description: z.string(),
});
export type TemplateSummaryDto = Readonly<z.infer<typeof TemplateSummaryDto>>;

export const TemplateDto = TemplateSummaryDto.extend({ spec: TemplateSpec.nullable(), jinja: z.string().nullable() });
export type TemplateDto = Readonly<z.infer<typeof TemplateDto>>;

export const ProposalDto = z.object({ template: z.string(), warnings: z.array(Notice) });
export type ProposalDto = Readonly<z.infer<typeof ProposalDto>>;

export const ListTemplatesRequest = z.object({}).strict();
export type ListTemplatesRequest = z.infer<typeof ListTemplatesRequest>;
export const GetTemplateRequest = z.object({ name: z.string().min(1) }).strict();
export type GetTemplateRequest = z.infer<typeof GetTemplateRequest>;
export const SaveTemplateRequest = z.object({ spec: TemplateSpec }).strict();
export type SaveTemplateRequest = z.input<typeof SaveTemplateRequest>;
export const RemoveTemplateRequest = z.object({ name: TemplateName }).strict();
export type RemoveTemplateRequest = z.infer<typeof RemoveTemplateRequest>;
export const ProposeTemplateRequest = z.object({ modelPath: z.string().min(1), template: z.string().optional() }).strict();
export type ProposeTemplateRequest = z.infer<typeof ProposeTemplateRequest>;

export interface ITemplatesService {
  list(request: ListTemplatesRequest): Promise<readonly TemplateSummaryDto[]>;
  get(request: GetTemplateRequest): Promise<TemplateDto>;
  save(request: SaveTemplateRequest): Promise<TemplateDto>;
  remove(request: RemoveTemplateRequest): Promise<{ readonly removed: true }>;
  /** The template proposed for a model folder, or warnings about `template` when one is given. */
  propose(request: ProposeTemplateRequest): Promise<ProposalDto>;
}

export const templatesContract = {
  name: 'templates',
  requests: { list: ListTemplatesRequest, get: GetTemplateRequest, save: SaveTemplateRequest, remove: RemoveTemplateRequest, propose: ProposeTemplateRequest },
  events: {},
} as const satisfies DomainContract<ITemplatesService>;
