// Turns a normalised dataset record into LLaMA-Factory's (system, alternating messages) shape, or says why it
// cannot (LLaMA-Factory drops such examples). Does not format or tokenize.
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import type { TurnMessage } from './template-turns.js';

export type RecordConversation =
  | { readonly ok: true; readonly system: string | undefined; readonly messages: TurnMessage[]; readonly tools: string | undefined }
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: string };

const ROLE: Record<string, TurnMessage['role']> = { user: 'user', assistant: 'assistant', tool: 'observation', function: 'function' };

function validate(system: string | undefined, messages: TurnMessage[], tools: string | undefined): RecordConversation {
  if (messages.length === 0 || messages.length % 2 !== 0) {
    return { ok: false, reason: `A conversation needs user/assistant pairs ending with an assistant answer; this one has ${messages.length} messages.` };
  }
  for (let i = 0; i < messages.length; i++) {
    const r = messages[i]!.role;
    const okRole = i % 2 === 0 ? r === 'user' || r === 'observation' : r === 'assistant' || r === 'function';
    if (!okRole) return { ok: false, reason: `Message ${i + 1} is "${r}" where a ${i % 2 === 0 ? 'user (or tool)' : 'assistant'} turn belongs.` };
  }
  return { ok: true, system, messages, tools };
}

export function recordToConversation(r: NormalisedRecord): RecordConversation {
  switch (r.kind) {
    case 'single': {
      // LLaMA-Factory's alpaca converter joins instruction and input with "\n".
      const query = [r.instruction, r.input].filter((s): s is string => !!s).join('\n');
      return validate(r.system, [{ role: 'user', content: query }, { role: 'assistant', content: r.output }], undefined);
    }
    case 'conversation': {
      let system = r.system;
      let msgs = r.messages;
      if (msgs[0]?.role === 'system') {
        system = msgs[0].content;
        msgs = msgs.slice(1);
      }
      if (msgs.some((m) => m.role === 'system')) return { ok: false, reason: 'A system message may only come first.' };
      return validate(system, msgs.map((m) => ({ role: ROLE[m.role]!, content: m.content })), r.tools);
    }
    case 'preference': {
      // Supervised preview of a preference record: the prompt with the chosen answer.
      const prompt: TurnMessage[] =
        typeof r.prompt === 'string'
          ? [{ role: 'user', content: r.prompt }]
          : r.prompt.filter((m) => m.role !== 'system').map((m) => ({ role: ROLE[m.role]!, content: m.content }));
      const sys = typeof r.prompt === 'string' ? r.system : (r.prompt.find((m) => m.role === 'system')?.content ?? r.system);
      return validate(sys, [...prompt, { role: 'assistant', content: r.chosen }], r.tools);
    }
    case 'text':
      return { ok: true, text: r.text };
  }
}
