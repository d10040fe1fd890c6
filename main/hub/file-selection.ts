// Which files of a repository a model needs for Lathe: configs, tokenizer files, safetensors weights and their
// index. Skips READMEs, images, other weight formats (.bin, .pth, .gguf, .onnx) and anything in sub-folders
// (e.g. Llama's original/ checkpoint), which would multiply the download for nothing.
import type { HubFile } from './hub-types.js';

const NEEDED_NAMES = new Set([
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'tokenizer.model',
  'special_tokens_map.json',
  'added_tokens.json',
  'vocab.json',
  'merges.txt',
  'chat_template.jinja',
  'chat_template.json',
  'model.safetensors.index.json',
]);

export function isNeededFile(path: string): boolean {
  if (path.includes('/')) return false;
  return NEEDED_NAMES.has(path) || path.endsWith('.safetensors');
}

export function selectModelFiles(files: readonly HubFile[]): HubFile[] {
  return files.filter((f) => isNeededFile(f.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
