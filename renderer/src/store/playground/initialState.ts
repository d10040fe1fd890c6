// The playground slice's state: two panes (a model or run each, on an engine) answering one shared list of
// questions, the chat settings (system prompt, template, sampling), the rendered prompt that shows the template,
// and the validation row used as the question with its reference answer.
import type { DatasetDto } from '../../../../preload/contract/datasets.js';
import type { PlaygroundEngine, RenderedPromptDto, SamplingOptions, TargetDto } from '../../../../preload/contract/playground.js';
import type { ValidationPrompt } from './validation-prompt.js';
import type { MainMessage } from '../../i18n/main-message-text.js';

export const PANE_IDS = ['left', 'right'] as const;
export type PaneKey = (typeof PANE_IDS)[number];

export interface PaneAnswer {
  readonly generationId: string;
  readonly text: string;
  readonly status: 'streaming' | 'done' | 'stopped' | 'error';
  readonly tokens: number;
  readonly tokensPerS: number;
  readonly finishReason?: string;
  /** The template the prompt was rendered with. */
  readonly template?: string;
  readonly error?: string;
  /** Main's messages: shown with translateMainMessage (English where they carry no code). */
  readonly warnings?: readonly MainMessage[];
}

export interface PaneState {
  /** A TargetDto key; undefined: the pane is off. */
  readonly targetKey: string | undefined;
  readonly engine: PlaygroundEngine;
  /** One per question, same index; missing when the pane was off for that question. */
  readonly answers: readonly (PaneAnswer | undefined)[];
}

export interface PlaygroundState {
  pgTargets: readonly TargetDto[];
  pgTargetsStatus: 'idle' | 'loading' | 'ready' | 'error';
  pgPanes: Readonly<Record<PaneKey, PaneState>>;
  pgQuestions: readonly string[];
  pgSystem: string;
  /** A template name; empty: the run's, else the one proposed for the model. */
  pgTemplate: string;
  pgSampling: SamplingOptions;
  pgRendered: RenderedPromptDto | undefined;
  pgDatasets: readonly DatasetDto[];
  pgDatasetId: number | undefined;
  pgValidation: readonly ValidationPrompt[];
  pgValidationTotal: number;
  /** Rows fetched so far (text-only rows are fetched but not offered). */
  pgValidationLoaded: number;
  /** The validation row the last question came from: its reference answer is shown beside the panes. */
  pgReference: ValidationPrompt | undefined;
  pgError: string | undefined;
}

export const DEFAULT_SAMPLING: SamplingOptions = { doSample: false, temperature: 0.7, topP: 0.9, topK: 0, maxNewTokens: 256, seed: 42, repetitionPenalty: 1 };

const pane = (): PaneState => ({ targetKey: undefined, engine: 'native', answers: [] });

export const playgroundInitialState: PlaygroundState = {
  pgTargets: [],
  pgTargetsStatus: 'idle',
  pgPanes: { left: pane(), right: pane() },
  pgQuestions: [],
  pgSystem: '',
  pgTemplate: '',
  pgSampling: DEFAULT_SAMPLING,
  pgRendered: undefined,
  pgDatasets: [],
  pgDatasetId: undefined,
  pgValidation: [],
  pgValidationTotal: 0,
  pgValidationLoaded: 0,
  pgReference: undefined,
  pgError: undefined,
};
