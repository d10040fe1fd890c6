// The `runs` domain: configure, start, watch, pause, resume, stop, delete and evaluate LoRA training runs.
// Types and zod schemas only; the queue, the engine process and the store live in main/runs and main/engine.
import { z } from 'zod';
import type { DomainContract } from './define.js';
import { MessageCode, MessageParams, Notice } from './message-code.js';

// ---------------------------------------------------------------------------------------------------------------
// Configuration: one typed object. YAML import/export maps it to LLaMA-Factory's key names (main/runs/run-yaml.ts).
// ---------------------------------------------------------------------------------------------------------------

/** A dataset of the run: a workspace dataset (by id or name in the run's project) or a data file imported on the fly. */
export const RunDatasetRef = z.union([
  z.object({ id: z.number().int().positive() }).strict(),
  z.object({ name: z.string().trim().min(1).max(100) }).strict(),
  z.object({ file: z.string().min(1).max(4096) }).strict(),
]);
export type RunDatasetRef = z.infer<typeof RunDatasetRef>;

export const LR_SCHEDULERS = ['linear', 'cosine', 'constant', 'constant_with_warmup'] as const;
export const RUN_DEVICE = /^(auto|cpu|cuda(:\d+)?)$/;

export const RunConfig = z
  .object({
    /** Base model folder (Hugging Face layout). */
    model: z.string().min(1, 'A run needs a base model folder.').max(4096),
    datasets: z.array(RunDatasetRef).min(1, 'A run needs at least one dataset.').max(16),
    /** Validation share taken from the training rows; omitted: each dataset's own split. */
    valSize: z.number().min(0).max(0.9).optional(),
    /** Use at most this many training records (LLaMA-Factory `max_samples`). */
    maxSamples: z.number().int().positive().optional(),
    template: z.string().min(1).max(64),
    cutoffLen: z.number().int().min(8).max(1_048_576).default(1024),
    packing: z.boolean().default(false),
    trainOnPrompt: z.boolean().default(false),
    maskHistory: z.boolean().default(false),
    finetuningType: z.literal('lora').default('lora'),
    /** 4 or 8: QLoRA (base weights quantised); omitted: plain LoRA. */
    quantizationBit: z.union([z.literal(4), z.literal(8)]).optional(),
    /** Recompute each layer's activations in the backward instead of keeping them (less memory, about a third more
     * compute). Omitted: the engine decides from its memory plan (off when the run fits without it). */
    gradientCheckpointing: z.boolean().optional(),
    /** Cap on the GPU memory the engine may use, in GiB (a smaller card simulated on a big one). Omitted: the GPU's free memory. */
    maxVramGb: z.number().positive().max(4096).optional(),
    loraRank: z.number().int().min(1).max(1024).default(8),
    /** Omitted: twice the rank (LLaMA-Factory's default). */
    loraAlpha: z.number().positive().max(1e6).optional(),
    loraDropout: z.number().min(0).max(0.9).default(0),
    /** `all` or a comma-separated list of projections (q_proj,v_proj,…). */
    loraTarget: z.string().min(1).max(200).default('all'),
    useRslora: z.boolean().default(false),
    /** Start from this adapter folder (continuous retraining); its rank/alpha/targets win. */
    adapterFrom: z.string().min(1).max(4096).optional(),
    optim: z.literal('adamw_torch').default('adamw_torch'),
    lrSchedulerType: z.enum(LR_SCHEDULERS).default('cosine'),
    warmupRatio: z.number().min(0).max(1).default(0),
    learningRate: z.number().positive().max(10).default(1e-4),
    weightDecay: z.number().min(0).max(10).default(0),
    maxGradNorm: z.number().min(0).default(1),
    numTrainEpochs: z.number().positive().max(1e6).default(3),
    /** Positive: stop after this many optimizer steps, whatever the epochs. */
    maxSteps: z.number().int().positive().optional(),
    perDeviceTrainBatchSize: z.number().int().min(1).max(4096).default(1),
    gradientAccumulationSteps: z.number().int().min(1).max(65536).default(8),
    loggingSteps: z.number().int().min(1).default(1),
    /** 0: evaluate only at the end. */
    evalSteps: z.number().int().min(0).default(0),
    /** 0: checkpoint only when stopped. */
    saveSteps: z.number().int().min(0).default(0),
    /** Keep the newest N checkpoints; older ones are pruned. Omitted: keep all. */
    saveTotalLimit: z.number().int().positive().optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
    device: z.string().regex(RUN_DEVICE, 'device is auto, cpu, cuda or cuda:N').default('auto'),
    /** After training, generate answers for the validation rows and score them (BLEU-4, ROUGE). */
    predictWithGenerate: z.boolean().default(true),
    maxNewTokens: z.number().int().min(1).max(8192).default(128),
    /** Validation rows generated for at most; scoring is slow on CPU. */
    maxPredictSamples: z.number().int().min(1).max(100_000).default(50),
    doSample: z.boolean().default(false),
    temperature: z.number().min(0).max(10).default(1),
    /** Also copy the final adapter here (the CLI's `output_dir`); the run folder always keeps one. */
    outputDir: z.string().min(1).max(4096).optional(),
    /** Engine test hooks, passed through (native/docs/protocol.md): NaN loss at a step; stop after N steps. */
    debug: z
      .object({ nanAtStep: z.number().int().min(0).optional(), stopAfterSteps: z.number().int().min(0).optional() })
      .strict()
      .optional(),
  })
  .strict();
export type RunConfig = z.infer<typeof RunConfig>;
export type RunConfigInput = z.input<typeof RunConfig>;
/** A configuration being edited: like RunConfig, but it may not name a dataset yet. */
export const RunConfigDraft = RunConfig.extend({ datasets: z.array(RunDatasetRef).max(16) });
export type RunConfigDraft = z.infer<typeof RunConfigDraft>;

// ---------------------------------------------------------------------------------------------------------------
// Runs.
// ---------------------------------------------------------------------------------------------------------------
/** `draft`: created without starting (start queues it). */
export const RUN_STATUSES = ['draft', 'queued', 'preparing', 'running', 'paused', 'stopping', 'completed', 'failed', 'interrupted'] as const;
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;

export const RunId = z.number().int().positive();

/** `hintCode`: the hint's translatable code (main/runs/run-hints.ts); absent for the engine's own hints and older runs. */
export const RunError = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  hintCode: MessageCode.optional(),
  /** Numbers and settings the translated hint fills in (e.g. the memory a run needs and the settings that fit). */
  hintParams: MessageParams.optional(),
});
export type RunError = z.infer<typeof RunError>;

export const RunScores = z.object({
  samples: z.number().int(),
  bleu4: z.number(),
  rouge1: z.number(),
  rouge2: z.number(),
  rougeL: z.number(),
});
export type RunScores = z.infer<typeof RunScores>;

export const RunDto = z.object({
  id: RunId,
  projectId: z.number().int(),
  name: z.string(),
  status: RunStatus,
  step: z.number().int(),
  maxSteps: z.number().int().nullable(),
  parentRunId: z.number().int().nullable(),
  error: RunError.nullable(),
  /** The newest train loss and eval loss recorded. */
  lastLoss: z.number().nullable(),
  lastEvalLoss: z.number().nullable(),
  scores: RunScores.nullable(),
  /** What preparation produced: training/validation records, tokens, and for a retrain the rows new since the parent. */
  prepared: z
    .object({ trainRecords: z.number().int(), evalRecords: z.number().int(), tokens: z.number().int(), newRowsSinceParent: z.number().int().nullable() })
    .nullable(),
  /** Workspace-relative folder of the run (config, logs, checkpoints, adapter). */
  folder: z.string(),
  adapterDir: z.string().nullable(),
  /** True when the run can continue from a checkpoint (interrupted, failed or stopped with one). */
  resumable: z.boolean(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type RunDto = Readonly<z.infer<typeof RunDto>>;

export const RunDetailDto = RunDto.extend({ config: RunConfig });
export type RunDetailDto = Readonly<z.infer<typeof RunDetailDto>>;

export const MetricPoint = z.object({
  kind: z.enum(['train', 'eval']),
  step: z.number().int(),
  epoch: z.number().nullable(),
  loss: z.number().nullable(),
  lr: z.number().nullable(),
  gradNorm: z.number().nullable(),
  tokensPerS: z.number().nullable(),
  memoryMb: z.number().nullable(),
  at: z.string(),
});
export type MetricPoint = z.infer<typeof MetricPoint>;

export const ArtifactDto = z.object({
  id: z.number().int(),
  runId: z.number().int().nullable(),
  kind: z.string(),
  /** Workspace-relative. */
  path: z.string(),
  bytes: z.number(),
  step: z.number().int().nullable(),
  createdAt: z.string(),
});
export type ArtifactDto = Readonly<z.infer<typeof ArtifactDto>>;

export const PredictionDto = z.object({ row: z.number().int(), prompt: z.string(), reference: z.string(), prediction: z.string() });
export type PredictionDto = z.infer<typeof PredictionDto>;

// ---------------------------------------------------------------------------------------------------------------
// Defaults and preflight.
// ---------------------------------------------------------------------------------------------------------------
export const GpuInfo = z.object({ index: z.number().int(), name: z.string(), memoryBytes: z.number() });
export type GpuInfo = z.infer<typeof GpuInfo>;

export const RunDefaultsDto = z.object({
  config: RunConfigDraft,
  device: z.enum(['cpu', 'cuda']),
  gpus: z.array(GpuInfo),
  /** Estimated peak memory of the configuration, and what is available (null on CPU). */
  estimatedBytes: z.number().nullable(),
  availableBytes: z.number().nullable(),
  /** Why these values: one line each, for people (codes: main/runs/run-defaults.ts RUN_DEFAULTS_CODES). */
  notes: z.array(Notice),
  warnings: z.array(Notice),
});
export type RunDefaultsDto = Readonly<z.infer<typeof RunDefaultsDto>>;

// ---------------------------------------------------------------------------------------------------------------
// Requests.
// ---------------------------------------------------------------------------------------------------------------
const RunName = z.string().trim().min(1).max(100);
export const RunRef = z.object({ id: RunId }).strict();
export type RunRef = z.infer<typeof RunRef>;

export const CreateRunRequest = z
  .object({
    projectId: z.number().int().positive(),
    name: RunName.optional(),
    config: RunConfig,
    /** Continue from a previous run: its adapter becomes `adapterFrom` unless the config names one. */
    parentRunId: RunId.optional(),
    /** Queue it right away (default true). */
    start: z.boolean().default(true),
  })
  .strict();
export type CreateRunRequest = z.input<typeof CreateRunRequest>;

export const ListRunsRequest = z.object({ projectId: z.number().int().positive().optional() }).strict();
export type ListRunsRequest = z.infer<typeof ListRunsRequest>;
export const MetricsRequest = z
  .object({ id: RunId, sinceStep: z.number().int().min(0).optional(), kind: z.enum(['train', 'eval']).optional() })
  .strict();
export type MetricsRequest = z.infer<typeof MetricsRequest>;
export const LogsRequest = z.object({ id: RunId, tailBytes: z.number().int().min(1).max(16 * 1024 * 1024).default(64 * 1024) }).strict();
export type LogsRequest = z.input<typeof LogsRequest>;
export const LogsResult = z.object({ text: z.string(), truncated: z.boolean() });
export type LogsResult = z.infer<typeof LogsResult>;
export const CompareRequest = z.object({ ids: z.array(RunId).min(1).max(8) }).strict();
export type CompareRequest = z.infer<typeof CompareRequest>;
export const CompareResult = z.object({
  runs: z.array(z.object({ run: RunDto, metrics: z.array(MetricPoint) })),
});
export type CompareResult = z.infer<typeof CompareResult>;
/** Defaults for a model (else the bundled demo model); values in `config` are kept and checked (memory estimate). */
export const DefaultsRequest = z.object({ model: z.string().min(1).max(4096).optional(), config: RunConfigDraft.partial().optional() }).strict();
export type DefaultsRequest = z.infer<typeof DefaultsRequest>;
export const CliCommandRequest = z.object({ config: RunConfig, name: RunName.optional() }).strict();
export type CliCommandRequest = z.infer<typeof CliCommandRequest>;
export const CliCommandResult = z.object({ yaml: z.string(), command: z.string() });
export type CliCommandResult = z.infer<typeof CliCommandResult>;
/** `baseDir`: the folder relative paths in the YAML are resolved against (the YAML file's folder); else kept as written. */
export const YamlRequest = z.object({ yaml: z.string().max(1_000_000), baseDir: z.string().min(1).max(4096).optional() }).strict();
export type YamlRequest = z.infer<typeof YamlRequest>;
export const YamlResult = z.object({ config: RunConfig, name: z.string().nullable(), warnings: z.array(Notice) });
export type YamlResult = z.infer<typeof YamlResult>;
export const StopRequest = z.object({ id: RunId }).strict();
export type StopRequest = z.infer<typeof StopRequest>;
export const PruneRequest = z.object({ id: RunId, keepLast: z.number().int().min(0).max(1000) }).strict();
export type PruneRequest = z.infer<typeof PruneRequest>;
export const PredictionsRequest = z.object({ id: RunId, offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(100) }).strict();
export type PredictionsRequest = z.input<typeof PredictionsRequest>;
export const PredictionsResult = z.object({ total: z.number().int(), scores: RunScores.nullable(), predictions: z.array(PredictionDto) });
export type PredictionsResult = z.infer<typeof PredictionsResult>;
export const RetrainRequest = z
  .object({
    id: RunId,
    name: RunName.optional(),
    /** Start from the previous run's final adapter (default) or from scratch. */
    fromAdapter: z.boolean().default(true),
    /** Other datasets (e.g. the re-imported, grown one); omitted: the previous run's. */
    datasets: z.array(RunDatasetRef).min(1).max(16).optional(),
    start: z.boolean().default(true),
  })
  .strict();
export type RetrainRequest = z.input<typeof RetrainRequest>;

export interface IRunsService {
  create(request: CreateRunRequest): Promise<RunDto>;
  start(request: RunRef): Promise<RunDto>;
  pause(request: RunRef): Promise<RunDto>;
  resume(request: RunRef): Promise<RunDto>;
  /** Stops with a final checkpoint; the adapter at that point becomes the run's product. */
  stop(request: StopRequest): Promise<RunDto>;
  delete(request: RunRef): Promise<{ readonly deleted: true }>;
  list(request: ListRunsRequest): Promise<readonly RunDto[]>;
  get(request: RunRef): Promise<RunDetailDto>;
  metrics(request: MetricsRequest): Promise<readonly MetricPoint[]>;
  logs(request: LogsRequest): Promise<LogsResult>;
  artifacts(request: RunRef): Promise<readonly ArtifactDto[]>;
  pruneCheckpoints(request: PruneRequest): Promise<readonly ArtifactDto[]>;
  predictions(request: PredictionsRequest): Promise<PredictionsResult>;
  compare(request: CompareRequest): Promise<CompareResult>;
  /** A new run of the same configuration on the dataset's current rows, from this run's adapter. */
  retrain(request: RetrainRequest): Promise<RunDto>;
  defaults(request: DefaultsRequest): Promise<RunDefaultsDto>;
  cliCommand(request: CliCommandRequest): Promise<CliCommandResult>;
  fromYaml(request: YamlRequest): Promise<YamlResult>;
}

// ---------------------------------------------------------------------------------------------------------------
// Events.
// ---------------------------------------------------------------------------------------------------------------
export const RunStatusEvent = z.object({
  id: RunId,
  projectId: z.number().int(),
  status: RunStatus,
  step: z.number().int(),
  maxSteps: z.number().int().nullable(),
  error: RunError.nullable(),
  /** The run was deleted (its last status is kept in `status`). */
  removed: z.boolean().optional(),
});
export type RunStatusEvent = z.infer<typeof RunStatusEvent>;
/** Batched (at most a few per second): every metric point since the last event, oldest first. */
export const RunMetricsEvent = z.object({ id: RunId, points: z.array(MetricPoint) });
export type RunMetricsEvent = z.infer<typeof RunMetricsEvent>;
export const RunLogEvent = z.object({ id: RunId, lines: z.array(z.string()) });
export type RunLogEvent = z.infer<typeof RunLogEvent>;

export const runsContract = {
  name: 'runs',
  requests: {
    create: CreateRunRequest,
    start: RunRef,
    pause: RunRef,
    resume: RunRef,
    stop: StopRequest,
    delete: RunRef,
    list: ListRunsRequest,
    get: RunRef,
    metrics: MetricsRequest,
    logs: LogsRequest,
    artifacts: RunRef,
    pruneCheckpoints: PruneRequest,
    predictions: PredictionsRequest,
    compare: CompareRequest,
    retrain: RetrainRequest,
    defaults: DefaultsRequest,
    cliCommand: CliCommandRequest,
    fromYaml: YamlRequest,
  },
  events: { status: RunStatusEvent, metrics: RunMetricsEvent, log: RunLogEvent },
} as const satisfies DomainContract<IRunsService>;
