// Turns the template a run was trained with into what deployed tools read: a Jinja `chat_template` (the shape of
// LLaMA-Factory's `_get_jinja_template`), the EOS token and the stop strings. Does not render prompts itself.
import type { Slot, TemplateSpec } from '../../preload/contract/templates.js';

/** The training template: a LLaMA-Factory-style spec, or the model's own Jinja source ("jinja"). */
export type TrainingTemplate = { readonly kind: 'spec'; readonly spec: TemplateSpec } | { readonly kind: 'jinja'; readonly name: string; readonly source: string };

export interface ChatTemplateOutput {
  /** The template's name, for READMEs and metadata. */
  readonly name: string;
  readonly jinja: string;
  /** The EOS token text after the template's replace_eos (null: keep the tokenizer's). */
  readonly eosToken: string | null;
  /** Texts that end an assistant turn: the EOS text and the template's stop words, deduplicated. */
  readonly stopStrings: readonly string[];
  readonly defaultSystem: string;
}

function quote(s: string): string {
  return JSON.stringify(s);
}

/** One slot list as Jinja expressions, `{{content}}` replaced by the Jinja variable `contentVar`. */
function slotsToExprs(slots: readonly Slot[], contentVar: string): string[] {
  const exprs: string[] = [];
  for (const slot of slots) {
    if (typeof slot === 'string') {
      slot.split('{{content}}').forEach((p, i) => {
        if (i > 0) exprs.push(contentVar);
        if (p) exprs.push(quote(p.replaceAll('{{idx}}', '0')));
      });
    } else if ('bos' in slot) exprs.push('bos_token');
    else if ('eos' in slot) exprs.push('eos_token');
    else exprs.push(quote(slot.token));
  }
  return exprs;
}

function slotsToJinja(slots: readonly Slot[], contentVar: string): string {
  const exprs = slotsToExprs(slots, contentVar);
  return exprs.length ? `{{- ${exprs.join(' + ')} }}` : '';
}

export function specToJinja(spec: TemplateSpec): string {
  const sys = spec.defaultSystem ? quote(spec.defaultSystem) : "''";
  const out: string[] = [];
  out.push(`{%- if messages[0]['role'] == 'system' -%}{%- set system_message = messages[0]['content'] -%}{%- set loop_messages = messages[1:] -%}`);
  out.push(`{%- else -%}{%- set system_message = ${sys} -%}{%- set loop_messages = messages -%}{%- endif -%}`);
  out.push(slotsToJinja(spec.formatPrefix, "''"));
  if (spec.systemStyle === 'separate') out.push(`{%- if system_message -%}${slotsToJinja(spec.formatSystem, 'system_message')}{%- endif -%}`);
  out.push(`{%- for message in loop_messages -%}{%- set content = message['content'] -%}`);
  if (spec.systemStyle === 'fused') {
    // The system text goes inside the first user turn (LLaMA-Factory's Llama2Template).
    const fused = slotsToExprs(spec.formatSystem, 'system_message');
    if (fused.length) out.push(`{%- if loop.index0 == 0 and system_message -%}{%- set content = ${fused.join(' + ')} + content -%}{%- endif -%}`);
  }
  out.push(`{%- if message['role'] == 'user' -%}${slotsToJinja(spec.formatUser, 'content')}`);
  out.push(`{%- elif message['role'] == 'assistant' -%}${slotsToJinja(spec.formatAssistant, 'content')}`);
  out.push(`{%- endif -%}{%- endfor -%}`);
  return out.join('');
}

export function chatTemplateFor(template: TrainingTemplate, tokenizerEos: string | null): ChatTemplateOutput {
  if (template.kind === 'jinja') {
    return { name: template.name, jinja: template.source, eosToken: null, stopStrings: tokenizerEos ? [tokenizerEos] : [], defaultSystem: '' };
  }
  const spec = template.spec;
  const eos = spec.replaceEos && spec.stopWords.length > 0 ? spec.stopWords[0]! : null;
  const stops = new Set<string>();
  const finalEos = eos ?? tokenizerEos;
  if (finalEos) stops.add(finalEos);
  for (const w of spec.stopWords) stops.add(w);
  return { name: spec.name, jinja: specToJinja(spec), eosToken: eos, stopStrings: [...stops], defaultSystem: spec.defaultSystem };
}
