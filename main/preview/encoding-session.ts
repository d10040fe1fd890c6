// A model's tokenizer bound to a template, ready to encode records: loads tokenizer.json once per folder
// (cached), resolves the template (proposed from the folder when none is named) and gathers warnings.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TemplateSpec } from '../../preload/contract/templates.js';
import { guessModelKind } from '../models/model-kind.js';
import { readModelFolder, tokenContent, type ModelFolder } from '../models/model-folder.js';
import { TemplateEncoder, type ResolvedTemplate } from '../templates/record-encoder.js';
import { checkTemplateChoice, proposeTemplate } from '../templates/template-proposal.js';
import { resolveTemplate } from '../templates/template-registry.js';
import { Tokenizer, type TokenizerJson } from '../tokenizer/tokenizer.js';

export interface EncodingSession {
  readonly folder: ModelFolder;
  readonly tokenizer: Tokenizer;
  readonly tokenizerPath: string;
  /** SHA-256 of tokenizer.json: part of the tokenized-file cache key. */
  readonly tokenizerSha256: string;
  readonly templateName: string;
  readonly template: ResolvedTemplate;
  readonly encoder: TemplateEncoder;
  readonly special: { readonly bosToken: string | null; readonly eosToken: string | null };
  readonly warnings: readonly string[];
}

const tokenizers = new Map<string, Promise<{ tokenizer: Tokenizer; sha256: string }>>();

export function loadTokenizerCached(path: string): Promise<{ tokenizer: Tokenizer; sha256: string }> {
  let p = tokenizers.get(path);
  if (!p) {
    p = readFile(path).then((buf) => ({
      tokenizer: new Tokenizer(JSON.parse(buf.toString('utf8')) as TokenizerJson),
      sha256: createHash('sha256').update(buf).digest('hex'),
    }));
    p.catch(() => tokenizers.delete(path));
    if (tokenizers.size > 8) tokenizers.clear();
    tokenizers.set(path, p);
  }
  return p;
}

export async function openEncodingSession(modelPath: string, templateName: string | undefined, userTemplates: readonly TemplateSpec[] = []): Promise<EncodingSession> {
  const folder = await readModelFolder(modelPath);
  const tokenizerPath = join(folder.path, 'tokenizer.json');
  const { tokenizer, sha256 } = await loadTokenizerCached(tokenizerPath);
  const kind = guessModelKind(folder.name, folder.tokenizerConfig, folder.generationConfig, folder.chatTemplate).kind;
  const proposalInput = { chatTemplate: folder.chatTemplate, modelType: folder.config.model_type ?? '', architecture: folder.architecture, kind };
  const proposal = proposeTemplate(proposalInput);
  const name = templateName ?? proposal.template;
  const warnings = templateName === undefined ? [...proposal.warnings] : checkTemplateChoice(name, proposalInput);
  const template = resolveTemplate(name, folder.chatTemplate, userTemplates);
  const special = { bosToken: tokenContent(folder.tokenizerConfig.bos_token), eosToken: tokenContent(folder.tokenizerConfig.eos_token) };
  const encoder = new TemplateEncoder(tokenizer, template, special);
  return { folder, tokenizer, tokenizerPath, tokenizerSha256: sha256, templateName: name, template, encoder, special, warnings: [...warnings, ...encoder.warnings] };
}
