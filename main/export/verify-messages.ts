// The English texts of the export checks' lines, by stable id: main fills them for the CLI's `detail`, and the app
// shows the same ids (`export.check.*` names, `export.verify.*` details) in the user's language from
// renderer/src/i18n/messages/export.{en,zh}.ts, whose English must stay word for word the same as here.
// Texts only; verify-export.ts decides which line applies.

export const CHECK_NAMES = {
  adapter: 'adapter',
  engineLoadsAdapter: 'engine loads adapter',
  mergedWeights: 'merged weights',
  mergedLogits: 'engine: merged vs base + adapter',
  ggufLoads: 'llama.cpp loads the GGUF',
  ggufLogits: 'llama.cpp vs engine',
  onnxLoads: 'onnxruntime loads the ONNX',
  onnxLogits: 'onnxruntime vs engine',
  modelfile: 'Modelfile',
} as const;

export const VERIFY_TEXTS = {
  noEngine: 'lathe-engine is not built here (node scripts/build-native.mjs), so there is no reference to compare with.',
  noAdapter: 'No adapter: the weights are the base model converted.',
  tensorMissing: '{tensor} is missing from the export.',
  mergedWeights: '{rows} sampled rows of {matrices} adapted matrices equal base + scale·B·A (recomputed in f64): worst error {worst}× the rounding allowance of {dtype} (limit 1).',
  adapter: '{pairs} LoRA pairs, r={r}, alpha={alpha}, readable as PEFT.',
  engineLoadsAdapter: 'The engine generated {tokens} tokens for {prompts} prompts with the exported adapter.',
  logitsAgree: '{precision}: next-token log-probabilities agree with the engine’s (base + adapter) at {positions} positions of {prompts} prompts: largest difference {maxDiff} over the top {k} tokens (limit {limit}); the same top-1 token at {top1}/{positions}; at least {overlap}% of the top {k} shared (limit {minOverlap}%). Largest raw logit difference after the prompts: {maxLogitDiff}. {greedySame}/{prompts} prompts continue with the engine’s {tokens} greedy tokens.',
  logitsDiffer: '{precision}: next-token log-probabilities differ from the engine’s (base + adapter): largest difference {maxDiff} over the top {k} tokens (limit {limit}), at prompt {worstPrompt}, position {worstPosition}; the same top-1 token at {top1}/{positions} positions; at least {overlap}% of the top {k} shared (limit {minOverlap}%). Largest raw logit difference after the prompts: {maxLogitDiff}. {greedySame}/{prompts} prompts continue with the engine’s {tokens} greedy tokens. The export does not compute what was trained.',
  probsAgree: '{precision}: llama.cpp’s next-token log-probabilities agree with the engine’s (base + adapter) after {prompts} prompts: largest difference {maxDiff} over the top {k} tokens (limit {limit}); the same top-1 token at {top1}/{positions}; at least {overlap}% of the top {k} shared (limit {minOverlap}%). {greedySame}/{prompts} prompts continue with the engine’s {tokens} greedy tokens.',
  probsDiffer: '{precision}: llama.cpp’s next-token log-probabilities differ from the engine’s (base + adapter): largest difference {maxDiff} over the top {k} tokens (limit {limit}), after prompt {worstPrompt}; the same top-1 token at {top1}/{positions}; at least {overlap}% of the top {k} shared (limit {minOverlap}%). {greedySame}/{prompts} prompts continue with the engine’s {tokens} greedy tokens. The export does not compute what was trained.',
  ggufLoads: 'node-llama-cpp (llama.cpp, CPU) loaded it and generated {tokens} tokens for {prompts} prompts.',
  onnxLoads: 'onnxruntime-node ran the decoder ({precision} weights) with its KV cache for {prompts} prompts.',
  modelfile: 'Modelfile beside the GGUF (FROM, TEMPLATE, stop parameters).',
  failed: 'The check could not run: {message}',
} as const;

export type CheckId = keyof typeof CHECK_NAMES;
export type VerifyId = keyof typeof VERIFY_TEXTS;

/** Every code an export check can carry (`main.<code>` in the renderer's messages). */
export const EXPORT_VERIFY_CODES = [
  ...Object.keys(CHECK_NAMES).map((k) => `export.check.${k}`),
  ...Object.keys(VERIFY_TEXTS).map((k) => `export.verify.${k}`),
] as const;

/** `{name}` placeholders filled from params, as the renderer's translate() does. */
export function fillText(text: string, params: Readonly<Record<string, string | number>>): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}
