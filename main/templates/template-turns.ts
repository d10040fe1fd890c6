// Formats a conversation with a LLaMA-Factory-style template into (prompt, response) element lists per turn,
// as Template._encode / encode_multiturn do (ReasoningTemplate and Llama2Template included). Tokenizes nothing.
import { LatheError } from '../../preload/contract/errors.js';
import type { Slot, TemplateSpec } from '../../preload/contract/templates.js';
import { formatFunctionContent, formatTools } from './tool-formats.js';

/** One piece that LLaMA-Factory tokenizes on its own: a string, or a special token by role or name. */
export type Element = { readonly text: string } | { readonly bos: true } | { readonly eos: true } | { readonly token: string };

export type TurnRole = 'user' | 'assistant' | 'observation' | 'function';
export interface TurnMessage {
  readonly role: TurnRole;
  readonly content: string;
}

export interface Turn {
  readonly source: Element[];
  readonly target: Element[];
}

export interface TurnOptions {
  /** LLaMA-Factory's `enable_thinking` (reasoning templates only); default true. */
  readonly enableThinking?: boolean;
  /** LLaMA-Factory's `mask_history`: with a reasoning template, history thoughts are discarded. */
  readonly maskHistory?: boolean;
  /** LLaMA-Factory's `preserve_thinking`. */
  readonly preserveThinking?: boolean;
}

/** StringFormatter.apply: each string slot gets its first `{{name}}` replaced, content first. */
export function applySlots(slots: readonly Slot[], vars: Readonly<Record<string, string>>): Element[] {
  return slots.map((slot): Element => {
    if (typeof slot !== 'string') return slot;
    let s = slot;
    for (const [name, value] of Object.entries(vars)) s = s.replace(`{{${name}}}`, () => value);
    return { text: s };
  });
}

function firstText(els: Element[]): string {
  const e = els[0];
  if (!e || !('text' in e)) throw new LatheError('bad_input', 'A fused-system template needs a text slot first in format_system.');
  return e.text;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** ReasoningTemplate.remove_thought: drop `<think>\n…\n</think>\n\n` blocks, then leading newlines. */
export function removeThought(spec: TemplateSpec, content: string): string {
  const re = new RegExp(`${escapeRe(spec.thoughtWords[0])}([\\s\\S]*?)${escapeRe(spec.thoughtWords[1])}`, 'g');
  return content.replace(re, '').replace(/^\n+/, '');
}

/** Template._encode: one element list per message; the first carries prefix and system. */
export function encodeMessages(spec: TemplateSpec, messages: readonly TurnMessage[], system: string | undefined, tools?: string): Element[][] {
  const sys = system || spec.defaultSystem;
  const toolText = tools ? formatTools(spec.toolFormat, tools) : '';
  return messages.map((m, i) => {
    const els: Element[] = [];
    let systemText = '';
    if (i === 0) {
      els.push(...applySlots(spec.formatPrefix, {}));
      if (sys || tools) {
        const applied = applySlots(spec.formatSystem, { content: sys + toolText });
        if (spec.systemStyle === 'fused') systemText = firstText(applied);
        else els.push(...applied);
      }
    }
    switch (m.role) {
      case 'user':
        els.push(...applySlots(spec.formatUser, spec.systemStyle === 'fused' ? { content: systemText + m.content } : { content: m.content, idx: String(Math.floor(i / 2)) }));
        break;
      case 'assistant':
        els.push(...applySlots(spec.formatAssistant, { content: m.content }));
        break;
      case 'observation':
        els.push(...applySlots(spec.formatObservation, { content: m.content }));
        break;
      case 'function': {
        // Llama2Template passes no thought/tool-call words to the function formatter.
        const fused = spec.systemStyle === 'fused';
        const content = formatFunctionContent(spec.toolFormat, m.content, fused ? ['\u0000', '\u0000'] : spec.thoughtWords, fused ? ['\u0000', '\u0000'] : undefined);
        els.push(...applySlots(spec.formatFunction ?? spec.formatAssistant, { content }));
        break;
      }
    }
    return els;
  });
}

/** Template.encode_multiturn (and ReasoningTemplate's override): pairs of (prompt, response) elements. */
export function buildTurns(spec: TemplateSpec, messages: readonly TurnMessage[], system: string | undefined, o: TurnOptions = {}, tools?: string): Turn[] {
  const msgs = messages.map((m) => ({ ...m }));
  const enableThinking = o.enableThinking ?? true;
  const discardHistoryCot = spec.reasoning && (o.maskHistory ?? false) && !(o.preserveThinking ?? false);
  if (spec.reasoning) {
    if (!enableThinking) for (let i = 1; i < msgs.length; i += 2) msgs[i]!.content = removeThought(spec, msgs[i]!.content);
    if (discardHistoryCot) for (let i = 1; i < msgs.length - 2; i += 2) msgs[i]!.content = removeThought(spec, msgs[i]!.content);
  }
  const encoded = encodeMessages(spec, msgs, system, tools);
  if (spec.reasoning) {
    const open = spec.thoughtWords[0].trim();
    const close = spec.thoughtWords[1].trim();
    const thought: Element = { text: spec.thoughtWords[0] + spec.thoughtWords[1] };
    const indices = discardHistoryCot ? [msgs.length - 2] : Array.from({ length: Math.ceil(msgs.length / 2) }, (_, k) => 2 * k);
    for (const i of indices) {
      const answer = msgs[i + 1]?.content ?? '';
      if (!answer.includes(open) && !answer.includes(close)) {
        // The empty thought is tokenized on its own, after the prompt (masked) or before the answer (trained).
        if (!enableThinking) encoded[i]!.push(thought);
        else encoded[i + 1]!.unshift(thought);
      }
    }
  }
  const turns: Turn[] = [];
  for (let i = 0; i < encoded.length; i += 2) turns.push({ source: encoded[i]!, target: encoded[i + 1] ?? [] });
  return turns;
}
