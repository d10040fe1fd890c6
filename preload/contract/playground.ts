// The `playground` domain: ask a model (base, or base + a run's LoRA adapter) a few questions and compare answers
// side by side, tokens streaming per pane. Types and zod only; generation itself lives in main/playground.
import { z } from 'zod';
import type { DomainContract } from './define.js';
import { MessageText } from './message-code.js';

export const PLAYGROUND_ENGINES = ['native', 'onnx'] as const;
export const PlaygroundEngine = z.enum(PLAYGROUND_ENGINES);
export type PlaygroundEngine = z.infer<typeof PlaygroundEngine>;

/** transformers' GenerationConfig names; greedy unless doSample. */
export const SamplingOptions = z
  .object({
    doSample: z.boolean().default(false),
    temperature: z.number().min(0).max(10).default(1),
    topP: z.number().gt(0).max(1).default(1),
    /** 0: off. */
    topK: z.number().int().min(0).max(100_000).default(0),
    maxNewTokens: z.number().int().min(1).max(32_768).default(256),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
    /** 1: off. HF's RepetitionPenaltyLogitsProcessor (CTRL paper). */
    repetitionPenalty: z.number().min(1).max(10).default(1),
  })
  .strict();
export type SamplingOptions = z.infer<typeof SamplingOptions>;
export type SamplingInput = z.input<typeof SamplingOptions>;

export const ChatMessage = z.object({ role: z.enum(['user', 'assistant']), content: z.string().max(1_000_000) }).strict();
export type ChatMessage = Readonly<z.infer<typeof ChatMessage>>;

/** What a pane talks to: a model folder, optionally with a PEFT LoRA adapter folder applied on the fly. */
export const PaneTarget = z
  .object({
    model: z.string().min(1).max(4096),
    adapter: z.string().min(1).max(4096).optional(),
  })
  .strict();
export type PaneTarget = z.infer<typeof PaneTarget>;

export const PaneId = z.string().min(1).max(100).regex(/^[\w.-]+$/);

export const TargetsRequest = z.object({ projectId: z.number().int().positive().optional() }).strict();
export type TargetsRequest = z.input<typeof TargetsRequest>;

export const TargetDto = z.object({
  /** Stable key for a picker: `model:<path>` or `run:<id>`. */
  key: z.string(),
  /** The base model's folder name; the renderer composes and translates the label from it and `runName`. */
  modelName: z.string(),
  /** The run's name when the target comes from a run (its adapter on `modelName`). */
  runName: z.string().nullable(),
  target: PaneTarget,
  runId: z.number().int().nullable(),
  /** The run's template, when the target comes from a run. */
  template: z.string().nullable(),
  /** A run's validation split lives in these datasets. */
  datasetIds: z.array(z.number().int()),
});
export type TargetDto = Readonly<z.infer<typeof TargetDto>>;

export const RenderRequest = z
  .object({
    model: z.string().min(1).max(4096),
    template: z.string().min(1).max(64).optional(),
    system: z.string().max(100_000).optional(),
    messages: z.array(ChatMessage).min(1).max(1000),
  })
  .strict();
export type RenderRequest = z.input<typeof RenderRequest>;

export const RenderedPromptDto = z.object({
  template: z.string(),
  /** The prompt exactly as the model reads it (special tokens included). */
  text: z.string(),
  promptTokens: z.number().int(),
  stopWords: z.array(z.string()),
  stopTokenIds: z.array(z.number().int()),
  warnings: z.array(MessageText),
});
export type RenderedPromptDto = Readonly<z.infer<typeof RenderedPromptDto>>;

export const GenerateRequest = z
  .object({
    paneId: PaneId,
    /** Chosen by the caller so events that arrive before the answer can be matched. */
    generationId: z.string().min(1).max(100),
    target: PaneTarget,
    engine: PlaygroundEngine.default('native'),
    template: z.string().min(1).max(64).optional(),
    system: z.string().max(100_000).optional(),
    /** The conversation so far, ending with the user's new message. */
    messages: z.array(ChatMessage).min(1).max(1000),
    sampling: SamplingOptions.default({ doSample: false, temperature: 1, topP: 1, topK: 0, maxNewTokens: 256, seed: 42, repetitionPenalty: 1 }),
  })
  .strict();
export type GenerateRequest = z.input<typeof GenerateRequest>;

export const FINISH_REASONS = ['stop', 'length', 'cancelled'] as const;

export const GenerationResultDto = z.object({
  paneId: z.string(),
  generationId: z.string(),
  engine: PlaygroundEngine,
  /** The answer, stop word removed. */
  text: z.string(),
  /** Generated ids (the stop token included when one ended the answer). */
  tokens: z.array(z.number().int()),
  promptTokens: z.number().int(),
  finishReason: z.enum(FINISH_REASONS),
  /** Generated tokens per second from request to last token (prompt processing included). */
  tokensPerS: z.number(),
  seconds: z.number(),
  template: z.string(),
  /** The prompt's warnings and what the engine could not honour (codes where main has them: playground.*, template.*). */
  warnings: z.array(MessageText),
});
export type GenerationResultDto = Readonly<z.infer<typeof GenerationResultDto>>;

export const PaneRequest = z.object({ paneId: PaneId }).strict();
export type PaneRequest = z.input<typeof PaneRequest>;

export interface IPlaygroundService {
  /** Models and runs (with adapters) a pane can talk to. */
  targets(request: TargetsRequest): Promise<readonly TargetDto[]>;
  /** The prompt a conversation becomes under a template, and the template's stop words. */
  render(request: RenderRequest): Promise<RenderedPromptDto>;
  /** Streams `token` events while it runs; resolves with the whole answer (also sent as `done`). */
  generate(request: GenerateRequest): Promise<GenerationResultDto>;
  /** Cancels the pane's running generation; its `generate` resolves with finishReason `cancelled`. */
  stop(request: PaneRequest): Promise<{ readonly stopped: boolean }>;
  /** Frees the pane's loaded model (engine process / ONNX session). */
  close(request: PaneRequest): Promise<{ readonly closed: boolean }>;
}

export const TokenEvent = z.object({
  paneId: z.string(),
  generationId: z.string(),
  /** New ids since the previous event (batched). */
  ids: z.array(z.number().int()),
  /** New text since the previous event. */
  text: z.string(),
  /** Tokens generated so far, and their rate. */
  count: z.number().int(),
  tokensPerS: z.number(),
});
export type TokenEvent = z.infer<typeof TokenEvent>;

export const ErrorEvent = z.object({ paneId: z.string(), generationId: z.string(), code: z.string(), message: z.string() });
export type ErrorEvent = z.infer<typeof ErrorEvent>;

export const playgroundContract = {
  name: 'playground',
  requests: { targets: TargetsRequest, render: RenderRequest, generate: GenerateRequest, stop: PaneRequest, close: PaneRequest },
  events: { token: TokenEvent, done: GenerationResultDto, error: ErrorEvent },
} as const satisfies DomainContract<IPlaygroundService>;
