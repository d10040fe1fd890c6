// What the playground asks of an inference engine (the native engine process or an onnxruntime session): one
// loaded model + adapter that turns prompt ids into streamed token ids. Does not tokenize or apply templates.
import type { PlaygroundEngine, SamplingOptions } from '../../preload/contract/playground.js';
import type { Notice } from '../../preload/contract/message-code.js';

export interface GenerationInput {
  readonly promptIds: readonly number[];
  readonly sampling: SamplingOptions;
  /** The answer ends after one of these (it is included in the tokens). */
  readonly stopTokenIds: readonly number[];
}

export type FinishReason = 'stop' | 'length' | 'cancelled';

export interface GenerationOutput {
  readonly tokens: number[];
  readonly finishReason: FinishReason;
}

export interface Generator {
  readonly engine: PlaygroundEngine;
  /** Sampling options this engine ignores, in words (shown beside the answer). */
  unsupported(sampling: SamplingOptions): Notice[];
  /** Loads the model (engine process / ONNX session) if not loaded; loading is not counted in tokens/s. */
  load(): Promise<void>;
  /** `onTokens` gets ids as they come; an aborted signal ends the answer promptly with finishReason `cancelled`. */
  generate(input: GenerationInput, onTokens: (ids: readonly number[]) => void, signal: AbortSignal): Promise<GenerationOutput>;
  dispose(): Promise<void>;
}

export interface GeneratorSpec {
  readonly engine: PlaygroundEngine;
  readonly model: string;
  readonly adapter?: string | undefined;
}

export function specKey(s: GeneratorSpec): string {
  return JSON.stringify([s.engine, s.model, s.adapter ?? null]);
}
