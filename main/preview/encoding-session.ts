// A model's tokenizer bound to a template, ready to encode records: loads tokenizer.json once per folder
// (cached), resolves the template (proposed from the folder when none is named) and gathers warnings.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Notice } from '../../preload/contract/message-code.js';
import type { TemplateSpec } from '../../preload/contract/templates.js';
import { guessModelKind } from '../models/model-kind.js';
import { readModelFolder, tokenContent, type ModelFolder } from '../models/model-folder.js';
import { TemplateEncoder, type ResolvedTemplate } from '../templates/record-encoder.js';
import { proposeTemplate, templateChoiceNotices } from '../templates/template-proposal.js';
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
  /** The template proposal's or choice's notices, then the encoder's. */
  readonly warnings: readonly Notice[];
}

const tokenizers = new Map<string, Promise<{ tokenizer: Tokenizer; sha256: string }>>();

export function loadTokenizerCached(path: string, stamp = ''): Promise<{ tokenizer: Tokenizer; sha256: string }> {
  const key = `${path}\0${stamp}`;
  let p = tokenizers.get(key);
  if (!p) {
    p = readFile(path).then((buf) => ({
      tokenizer: new Tokenizer(JSON.parse(buf.toString('utf8')) as TokenizerJson),
      sha256: createHash('sha256').update(buf).digest('hex'),
    }));
    p.catch(() => tokenizers.delete(key));
    if (tokenizers.size > 8) tokenizers.clear();
    tokenizers.set(key, p);
  }
  return p;
}

const sessions = new Map<string, { stamp: string; session: EncodingSession }>();

/** Modification times of the files a session is built from: a changed folder rebuilds the session. */
async function folderStamp(dir: string): Promise<string> {
  const names = ['config.json', 'tokenizer_config.json', 'tokenizer.json', 'chat_template.jinja', 'generation_config.json'];
  const times = await Promise.all(names.map((n) => stat(join(dir, n)).then((st) => st.mtimeMs, () => 0)));
  return times.join(',');
}

/** A session per (folder, template, user templates), rebuilt when the folder's files change: previews stay fast. */
export async function openEncodingSession(modelPath: string, templateName: string | undefined, userTemplates: readonly TemplateSpec[] = []): Promise<EncodingSession> {
  const key = `${resolve(modelPath)}\0${templateName ?? ''}\0${JSON.stringify(userTemplates)}`;
  const stamp = await folderStamp(resolve(modelPath));
  const hit = sessions.get(key);
  if (hit && hit.stamp === stamp) return hit.session;
  const session = await buildEncodingSession(modelPath, templateName, userTemplates);
  if (sessions.size > 16) sessions.clear();
  sessions.set(key, { stamp, session });
  return session;
}

async function buildEncodingSession(modelPath: string, templateName: string | undefined, userTemplates: readonly TemplateSpec[]): Promise<EncodingSession> {
  const folder = await readModelFolder(modelPath);
  const tokenizerPath = join(folder.path, 'tokenizer.json');
  const { tokenizer, sha256 } = await loadTokenizerCached(tokenizerPath, await folderStamp(folder.path));
  const kind = guessModelKind(folder.name, folder.tokenizerConfig, folder.generationConfig, folder.chatTemplate).kind;
  const proposalInput = { chatTemplate: folder.chatTemplate, modelType: folder.config.model_type ?? '', architecture: folder.architecture, kind };
  const proposal = proposeTemplate(proposalInput);
  const name = templateName ?? proposal.template;
  const warnings = templateName === undefined ? proposal.notices : templateChoiceNotices(name, proposalInput);
  const template = resolveTemplate(name, folder.chatTemplate, userTemplates);
  const special = { bosToken: tokenContent(folder.tokenizerConfig.bos_token), eosToken: tokenContent(folder.tokenizerConfig.eos_token) };
  const encoder = new TemplateEncoder(tokenizer, template, special);
  return { folder, tokenizer, tokenizerPath, tokenizerSha256: sha256, templateName: name, template, encoder, special, warnings: [...warnings, ...encoder.notices] };
}
