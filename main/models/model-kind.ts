// Best guess whether a model folder holds a base (pre-trained) or an instruct (chat-tuned) model.
// A heuristic over names and special tokens; it never loads weights and can be wrong, so it says why (a notice:
// code from MODEL_KIND_CODES, params, English text).
import type { Notice } from '../../preload/contract/message-code.js';
import type { GenerationConfig, TokenizerConfig } from './model-folder.js';
import { tokenContent } from './model-folder.js';

/** End-of-turn tokens that chat-tuned models use as EOS, where their base models use an end-of-text token. */
const CHAT_EOS = ['<|im_end|>', '<|eot_id|>', '<end_of_turn>', '<|end|>', '<|endoftext|>'];

/** Every code of the reasons (the renderer has a `main.<code>` text for each; a test checks). */
export const MODEL_KIND_CODES = ['modelKind.folderName', 'modelKind.chatEos', 'modelKind.noChatTemplate', 'modelKind.textEos'] as const;
type ModelKindCode = (typeof MODEL_KIND_CODES)[number];

export interface KindGuess {
  readonly kind: 'base' | 'instruct';
  readonly reason: Notice;
}

function guess(kind: KindGuess['kind'], code: ModelKindCode, params: Notice['params'], message: string): KindGuess {
  return { kind, reason: { code, params, message } };
}

export function guessModelKind(name: string, tc: TokenizerConfig, _gc: GenerationConfig, chatTemplate: string | null): KindGuess {
  if (/(instruct|chat|[-_]it\b|[-_]sft\b|dpo|rlhf)/i.test(name)) return guess('instruct', 'modelKind.folderName', { name }, `the folder name "${name}" says so`);
  if (/(^|[-_])base($|[-_])/i.test(name)) return guess('base', 'modelKind.folderName', { name }, `the folder name "${name}" says so`);
  const eos = tokenContent(tc.eos_token);
  // Qwen base models end text with <|endoftext|>; their instruct models end turns with <|im_end|>.
  if (eos !== null && CHAT_EOS.slice(0, 4).includes(eos) && chatTemplate !== null) {
    return guess('instruct', 'modelKind.chatEos', { eos }, `its EOS token ${eos} ends a chat turn and it has a chat template`);
  }
  if (chatTemplate === null) return guess('base', 'modelKind.noChatTemplate', {}, 'it has no chat template');
  return guess('base', 'modelKind.textEos', { eos: eos ?? '(none)' }, `it has a chat template but its EOS token ${eos ?? '(none)'} is an end-of-text token`);
}
