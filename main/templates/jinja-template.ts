// Renders a model's own jinja chat_template (@huggingface/jinja) and locates each assistant turn by rendering
// growing prefixes of the conversation, so masks match what the model was tuned on. Tokenizes nothing.
import { Template } from '@huggingface/jinja';
import { LatheError } from '../../preload/contract/errors.js';
import type { Turn, TurnMessage } from './template-turns.js';

export interface JinjaContext {
  readonly bosToken: string;
  readonly eosToken: string;
  readonly enableThinking: boolean;
  /** JSON text of the tool schemas, passed to the template as `tools` (as apply_chat_template does). */
  readonly tools?: string;
}

const compiled = new Map<string, Template>();

function compile(source: string): Template {
  let t = compiled.get(source);
  if (!t) {
    try {
      t = new Template(source);
    } catch (e) {
      throw new LatheError('bad_input', `The model's chat template does not parse: ${(e as Error).message}`);
    }
    if (compiled.size > 32) compiled.clear();
    compiled.set(source, t);
  }
  return t;
}

const JINJA_ROLE: Record<TurnMessage['role'], string> = { user: 'user', assistant: 'assistant', observation: 'tool', function: 'assistant' };

export function renderChat(source: string, messages: readonly { role: string; content: string }[], addGenerationPrompt: boolean, ctx: JinjaContext): string {
  try {
    return compile(source).render({
      messages,
      add_generation_prompt: addGenerationPrompt,
      bos_token: ctx.bosToken,
      eos_token: ctx.eosToken,
      enable_thinking: ctx.enableThinking,
      ...(ctx.tools ? { tools: parseTools(ctx.tools) } : {}),
    });
  } catch (e) {
    if (e instanceof LatheError) throw e;
    throw new LatheError('bad_input', `The model's chat template failed on this record: ${(e as Error).message}`);
  }
}

/**
 * Turns from a jinja template. For assistant message k, the text up to render(messages[:k], generation prompt)
 * is prompt and the rest up to render(messages[:k+1]) is the answer (its end-of-turn marker included). When a
 * template rewrites history (e.g. drops earlier thoughts) and a prefix does not match, the answer is located
 * by its content in the full rendering instead.
 */
export function renderJinjaTurns(source: string, messages: readonly TurnMessage[], system: string | undefined, ctx: JinjaContext): Turn[] {
  const all = [...(system ? [{ role: 'system', content: system }] : []), ...messages.map((m) => ({ role: JINJA_ROLE[m.role], content: m.content }))];
  const offset = system ? 1 : 0;
  const full = renderChat(source, all, false, ctx);
  const turns: Turn[] = [];
  let pos = 0;
  for (let k = 1; k < messages.length; k += 2) {
    const upto = offset + k;
    const prompt = renderChat(source, all.slice(0, upto), true, ctx);
    const withAnswer = renderChat(source, all.slice(0, upto + 1), false, ctx);
    let a: number;
    let b: number;
    if (full.startsWith(prompt) && full.startsWith(withAnswer) && prompt.length >= pos && withAnswer.length >= prompt.length) {
      a = prompt.length;
      b = withAnswer.length;
    } else {
      // History rewritten: find the answer's text, or what is left of it once the template dropped its thoughts.
      const content = messages[k]!.content;
      const visible = content.includes('</think>') ? (content.split('</think>').pop() ?? '').replace(/^\s+/, '') : content;
      let at = full.indexOf(content, pos);
      let len = content.length;
      if (at < 0 && visible !== content) {
        at = full.indexOf(visible, pos);
        len = visible.length;
      }
      if (at < 0) throw new LatheError('bad_input', `Cannot find assistant turn ${(k + 1) / 2} in the rendered chat template.`);
      a = at;
      b = at + len;
      // Keep the turn's end marker with the answer: it is what teaches the model to stop.
      const tail = withAnswer.endsWith(content) ? '' : withAnswer.slice(withAnswer.lastIndexOf(content) + content.length);
      if (tail && full.startsWith(tail, b)) b += tail.length;
    }
    turns.push({ source: [{ text: full.slice(pos, a) }], target: [{ text: full.slice(a, b) }] });
    pos = b;
  }
  const last = turns[turns.length - 1];
  if (last && pos < full.length) last.target.push({ text: full.slice(pos) });
  return turns;
}

function parseTools(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    throw new LatheError('bad_input', 'The record\'s tool schemas are not valid JSON.');
  }
}
