// An Ollama Modelfile for an exported GGUF: FROM, the training template as a Go TEMPLATE over .Messages, the
// default SYSTEM prompt and one `PARAMETER stop` per stop string. Text only; it does not run Ollama.
import type { Slot, TemplateSpec } from '../../preload/contract/templates.js';
import type { ChatTemplateOutput, TrainingTemplate } from './chat-template.js';

/** Go template text for one slot list; `{{content}}` becomes `value` (e.g. `{{ .Content }}`). */
function slotsToGo(slots: readonly Slot[], value: string, eos: string): string {
  let out = '';
  for (const slot of slots) {
    if (typeof slot === 'string') out += slot.replaceAll('{{idx}}', '0').split('{{content}}').map(escapeGo).join(value);
    else if ('eos' in slot) out += escapeGo(eos);
    else if ('token' in slot) out += escapeGo(slot.token);
    // BOS: llama.cpp adds it itself when the GGUF says add_bos_token, as it does for the prompt Ollama sends.
  }
  return out;
}

/** Literal `{{` in template text must not start an action. */
function escapeGo(s: string): string {
  return s.replaceAll('{{', '{{ "{{" }}');
}

export function ollamaTemplate(spec: TemplateSpec, eos: string): string {
  const user = slotsToGo(spec.formatUser, '{{ .Content }}', eos);
  const assistant = slotsToGo(spec.formatAssistant, '{{ .Content }}', eos);
  const system = slotsToGo(spec.formatSystem, '{{ $.System }}', eos);
  const prefix = slotsToGo(spec.formatPrefix, '', eos);
  // No `{{-` / `-}}` anywhere: trimming would eat the newlines the template's own text ends with.
  const parts = [prefix];
  if (spec.systemStyle === 'separate' && system) parts.push(`{{ if .System }}${system}{{ end }}`);
  parts.push('{{ range $i, $_ := .Messages }}');
  const fused = spec.systemStyle === 'fused' && system ? `{{ if and (eq $i 0) $.System }}${system}{{ end }}` : '';
  parts.push(`{{ if eq .Role "user" }}${user.replace('{{ .Content }}', `${fused}{{ .Content }}`)}`);
  parts.push(`{{ else if eq .Role "assistant" }}${assistant}`);
  parts.push('{{ end }}{{ end }}');
  return parts.join('');
}

function tripleQuoted(s: string): string {
  // Modelfile strings end at the next """: keep that sequence out of the text.
  return `"""${s.replaceAll('"""', '\\"\\"\\"')}"""`;
}

export function renderModelfile(ggufFile: string, template: TrainingTemplate | null, chat: ChatTemplateOutput | null, eosText: string | null): string {
  const lines = [`# Ollama Modelfile written by Lathe. Create the model with: ollama create NAME -f Modelfile`, `FROM ./${ggufFile}`];
  if (template?.kind === 'spec') {
    lines.push(`TEMPLATE ${tripleQuoted(ollamaTemplate(template.spec, chat?.eosToken ?? eosText ?? ''))}`);
    if (template.spec.defaultSystem) lines.push(`SYSTEM ${tripleQuoted(template.spec.defaultSystem)}`);
  } else if (template?.kind === 'jinja') {
    lines.push("# The model's own Jinja chat template is in the GGUF (tokenizer.chat_template); Ollama derives TEMPLATE from it.");
  }
  for (const stop of chat?.stopStrings ?? (eosText ? [eosText] : [])) lines.push(`PARAMETER stop ${JSON.stringify(stop)}`);
  return `${lines.join('\n')}\n`;
}
