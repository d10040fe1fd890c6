// Best guess whether a model folder holds a base (pre-trained) or an instruct (chat-tuned) model.
// A heuristic over names and special tokens; it never loads weights and can be wrong, so it says why.
import type { GenerationConfig, TokenizerConfig } from './model-folder.js';
import { tokenContent } from './model-folder.js';

/** End-of-turn tokens that chat-tuned models use as EOS, where their base models use an end-of-text token. */
const CHAT_EOS = ['<|im_end|>', '<|eot_id|>', '<end_of_turn>', '<|end|>', '<|endoftext|>'];

export interface KindGuess {
  readonly kind: 'base' | 'instruct';
  readonly reason: string;
}

export function guessModelKind(name: string, tc: TokenizerConfig, _gc: GenerationConfig, chatTemplate: string | null): KindGuess {
  if (/(instruct|chat|[-_]it\b|[-_]sft\b|dpo|rlhf)/i.test(name)) return { kind: 'instruct', reason: `the folder name "${name}" says so` };
  if (/(^|[-_])base($|[-_])/i.test(name)) return { kind: 'base', reason: `the folder name "${name}" says so` };
  const eos = tokenContent(tc.eos_token);
  // Qwen base models end text with <|endoftext|>; their instruct models end turns with <|im_end|>.
  if (eos !== null && CHAT_EOS.slice(0, 4).includes(eos) && chatTemplate !== null) {
    return { kind: 'instruct', reason: `its EOS token ${eos} ends a chat turn and it has a chat template` };
  }
  if (chatTemplate === null) return { kind: 'base', reason: 'it has no chat template' };
  return { kind: 'base', reason: `it has a chat template but its EOS token ${eos ?? '(none)'} is an end-of-text token` };
}
