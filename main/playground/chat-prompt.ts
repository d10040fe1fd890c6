// Turns a chat (system + alternating user/assistant messages ending with the user's question) into the prompt ids
// a model continues, with the template the encoder uses for training, and gathers what ends an answer: the
// template's stop words and EOS, plus generation_config's eos ids. Does not generate.
import { LatheError } from '../../preload/contract/errors.js';
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import type { ChatMessage } from '../../preload/contract/playground.js';
import type { TemplateSpec } from '../../preload/contract/templates.js';
import type { MessageText, Notice } from '../../preload/contract/message-code.js';
import { openEncodingSession, type EncodingSession } from '../preview/encoding-session.js';

export interface ChatPrompt {
  readonly session: EncodingSession;
  readonly templateName: string;
  readonly ids: number[];
  readonly text: string;
  /** Ids that end an answer (kept in the answer's tokens, removed from its text). */
  readonly stopTokenIds: number[];
  /** Stop words that are not one token: matched in the decoded text. */
  readonly stopStrings: string[];
  /** Every stop word of the template (for display). */
  readonly stopWords: string[];
  /** The session's warnings (with the encoder's codes where they match) and the prompt's own. */
  readonly warnings: MessageText[];
}

/** Codes of the playground's own notices (the renderer has a `main.<code>` text for each; a test checks). */
export const PLAYGROUND_CODES = ['playground.noEndToken', 'playground.onnxOnCpu'] as const;
export function playgroundNotice(code: (typeof PLAYGROUND_CODES)[number], message: string): Notice {
  return { code, params: {}, message };
}

/** No truncation: a playground prompt is sent whole (the engine checks the context length). */
const NO_CUTOFF = 1 << 30;

function asIds(v: number | readonly number[] | undefined): number[] {
  return v === undefined ? [] : typeof v === 'number' ? [v] : [...v];
}

export function checkMessages(messages: readonly ChatMessage[]): void {
  if (messages.length === 0) throw new LatheError('invalid_request', 'Type a question first.');
  messages.forEach((m, i) => {
    const want = i % 2 === 0 ? 'user' : 'assistant';
    if (m.role !== want) throw new LatheError('invalid_request', `Message ${i + 1} is "${m.role}" where a ${want} message belongs: the conversation alternates user and assistant and ends with the user.`);
  });
  if (messages.length % 2 === 0) throw new LatheError('invalid_request', 'The conversation must end with a user message (the question to answer).');
}

export async function buildChatPrompt(o: {
  readonly model: string;
  readonly template?: string | undefined;
  readonly system?: string | undefined;
  readonly messages: readonly ChatMessage[];
  readonly userTemplates?: readonly TemplateSpec[];
}): Promise<ChatPrompt> {
  checkMessages(o.messages);
  const session = await openEncodingSession(o.model, o.template, o.userTemplates ?? []);
  // The question gets an empty answer; everything before that answer's first element is the prompt, exactly as
  // LLaMA-Factory's encode_oneturn splits prompt and response.
  const record: NormalisedRecord = {
    kind: 'conversation',
    ...(o.system ? { system: o.system } : {}),
    messages: [...o.messages.map((m) => ({ role: m.role, content: m.content })), { role: 'assistant', content: '' }],
  };
  const enc = session.encoder.encode(record, { cutoffLen: NO_CUTOFF, trainOnPrompt: false, maskHistory: false, enableThinking: true });
  if (!enc.ok) throw new LatheError('bad_input', `The conversation cannot be rendered with template ${session.templateName}: ${enc.reason}`);
  const lastTurn = Math.max(...enc.segments.map((s) => s.turn));
  const answer = enc.segments.find((s) => s.turn === lastTurn && s.part === 'response');
  const ids = enc.inputIds.slice(0, answer ? answer.start : enc.inputIds.length);
  if (ids.length === 0) throw new LatheError('bad_input', `Template ${session.templateName} renders an empty prompt.`);

  const tok = session.tokenizer;
  const stopWords: string[] = [];
  const stopTokenIds = new Set<number>();
  const stopStrings: string[] = [];
  if (session.template.kind === 'spec') stopWords.push(...session.template.spec.stopWords);
  if (session.encoder.eosToken && !stopWords.includes(session.encoder.eosToken)) stopWords.push(session.encoder.eosToken);
  for (const w of stopWords) {
    const id = tok.tokenToId(w);
    if (id !== undefined) stopTokenIds.add(id);
    else if (w.length > 0) stopStrings.push(w);
  }
  if (session.encoder.eosId !== null) stopTokenIds.add(session.encoder.eosId);
  for (const id of asIds(session.folder.generationConfig.eos_token_id)) stopTokenIds.add(id);
  const warnings: MessageText[] = [...session.warnings];
  if (stopTokenIds.size === 0 && stopStrings.length === 0) warnings.push(playgroundNotice('playground.noEndToken', 'Neither the template nor the model names an end token: answers run to the token limit.'));
  return {
    session,
    templateName: session.templateName,
    ids,
    text: tok.decode(ids),
    stopTokenIds: [...stopTokenIds],
    stopStrings,
    stopWords,
    warnings,
  };
}
