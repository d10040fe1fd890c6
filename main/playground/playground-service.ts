// The `playground` domain in main: panes (one loaded model + adapter each, on the native engine or ONNX) answer
// the same conversation side by side; tokens stream as batched `playground.token` events, then `done` or `error`.
// Generation runs in a child process or worker thread, never on this thread. Does not store conversations.
import fs from 'node:fs';
import path from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';
import {
  GenerateRequest,
  PaneRequest,
  RenderRequest,
  TargetsRequest,
  type GenerationResultDto,
  type IPlaygroundService,
  type RenderedPromptDto,
  type TargetDto,
  type TokenEvent,
} from '../../preload/contract/playground.js';
import { RunsStore } from '../db/runs-store.js';
import { TemplatesStore } from '../db/templates-store.js';
import { Batcher } from '../ipc/throttle.js';
import { defaultModelPath } from '../models/default-model.js';
import { toRunDetailDto } from '../runs/run-dto.js';
import type { ServiceContext } from '../services/service-context.js';
import { buildChatPrompt } from './chat-prompt.js';
import { openGenerator, runChatTurn } from './chat-turn.js';
import { specKey, type Generator, type GeneratorSpec } from './generator.js';
import type { OnnxExporter } from './onnx-model-source.js';
import { playgroundOnnxExporter } from './onnx-exporter.js';

/** At most this many token events per pane per second. */
const TOKEN_EVENT_MS = 50;

interface Pane {
  key: string;
  generator: Promise<Generator>;
  running: { generationId: string; abort: AbortController } | null;
}

export interface PlaygroundDeps {
  /** Exports a plain model folder to ONNX for the onnx engine (default: main/onnx's writer); null: only exported folders. */
  readonly exporter?: OnnxExporter | null;
}

export class PlaygroundService implements IPlaygroundService {
  private readonly panes = new Map<string, Pane>();
  private readonly templates: TemplatesStore;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly deps: PlaygroundDeps = {},
  ) {
    this.templates = new TemplatesStore(ctx.workspace.db);
  }

  async targets(request: TargetsRequest): Promise<readonly TargetDto[]> {
    const r = TargetsRequest.parse(request);
    const out: TargetDto[] = [];
    const models = new Set<string>();
    const addModel = (dir: string) => {
      const p = path.resolve(dir);
      if (models.has(p) || !fs.existsSync(path.join(p, 'config.json'))) return;
      models.add(p);
      out.push({ key: `model:${p}`, modelName: path.basename(p), runName: null, target: { model: p }, runId: null, template: null, datasetIds: [] });
    };
    const runs = new RunsStore(this.ctx.workspace.db);
    for (const run of runs.list(r.projectId)) {
      const d = toRunDetailDto(run, runs, this.ctx.workspace);
      addModel(d.config.model);
      if (!d.adapterDir) continue;
      out.push({
        key: `run:${d.id}`,
        modelName: path.basename(path.resolve(d.config.model)),
        runName: d.name,
        target: { model: path.resolve(d.config.model), adapter: d.adapterDir },
        runId: d.id,
        template: d.config.template,
        datasetIds: d.config.datasets.flatMap((x) => ('id' in x ? [x.id] : [])),
      });
    }
    addModel(defaultModelPath());
    try {
      for (const e of fs.readdirSync(this.ctx.workspace.paths.models, { withFileTypes: true })) if (e.isDirectory()) addModel(path.join(this.ctx.workspace.paths.models, e.name));
    } catch {
      // no models folder yet
    }
    return out;
  }

  async render(request: RenderRequest): Promise<RenderedPromptDto> {
    const r = RenderRequest.parse(request);
    const p = await buildChatPrompt({ model: r.model, template: r.template, system: r.system, messages: r.messages, userTemplates: this.templates.list() });
    return { template: p.templateName, text: p.text, promptTokens: p.ids.length, stopWords: p.stopWords, stopTokenIds: p.stopTokenIds, warnings: p.warnings };
  }

  private pane(paneId: string, spec: GeneratorSpec): Pane {
    const key = specKey(spec);
    const old = this.panes.get(paneId);
    if (old && old.key === key) return old;
    if (old) void old.generator.then((g) => g.dispose()).catch(() => undefined);
    const generator = openGenerator(spec, { tmpDir: this.ctx.workspace.paths.tmp, cacheRoot: this.ctx.workspace.paths.cache, exporter: this.deps.exporter === undefined ? playgroundOnnxExporter : this.deps.exporter });
    generator.catch(() => undefined);
    const pane: Pane = { key, generator, running: null };
    this.panes.set(paneId, pane);
    return pane;
  }

  async generate(request: GenerateRequest): Promise<GenerationResultDto> {
    const r = GenerateRequest.parse(request);
    const busy = this.panes.get(r.paneId)?.running;
    if (busy) throw new LatheError('conflict', `Pane ${r.paneId} is still answering; stop it first.`);
    const abort = new AbortController();
    const spec: GeneratorSpec = { engine: r.engine, model: r.target.model, adapter: r.target.adapter };
    let pane = this.panes.get(r.paneId);
    const claim = { generationId: r.generationId, abort };
    const ids = { paneId: r.paneId, generationId: r.generationId };
    let batcher: Batcher<{ ids: readonly number[]; text: string; count: number; tokensPerS: number }> | null = null;
    try {
      const prompt = await buildChatPrompt({ model: r.target.model, template: r.template, system: r.system, messages: r.messages, userTemplates: this.templates.list() });
      if (this.panes.get(r.paneId)?.running) throw new LatheError('conflict', `Pane ${r.paneId} is still answering; stop it first.`);
      pane = this.pane(r.paneId, spec);
      pane.running = claim;
      let generator: Generator;
      try {
        generator = await pane.generator;
      } catch (e) {
        // A model that failed to load is not kept: the next question tries again.
        if (this.panes.get(r.paneId) === pane) this.panes.delete(r.paneId);
        throw e;
      }
      batcher = new Batcher(TOKEN_EVENT_MS, (items) => {
        const last = items[items.length - 1]!;
        const ev: TokenEvent = { ...ids, ids: items.flatMap((i) => [...i.ids]), text: items.map((i) => i.text).join(''), count: last.count, tokensPerS: last.tokensPerS };
        this.ctx.events.emit('playground.token', ev);
      });
      const b = batcher;
      const res = await runChatTurn(generator, prompt, r.sampling, abort.signal, (p) => b.push(p));
      batcher.close();
      const dto: GenerationResultDto = { ...ids, ...res, template: prompt.templateName };
      this.ctx.events.emit('playground.done', dto);
      return dto;
    } catch (err) {
      batcher?.close();
      const e = LatheError.from(err);
      this.ctx.events.emit('playground.error', { ...ids, code: e.code, message: e.message });
      throw e;
    } finally {
      if (pane && pane.running === claim) pane.running = null;
    }
  }

  async stop(request: PaneRequest): Promise<{ readonly stopped: boolean }> {
    const r = PaneRequest.parse(request);
    const running = this.panes.get(r.paneId)?.running;
    if (!running) return { stopped: false };
    running.abort.abort();
    return { stopped: true };
  }

  async close(request: PaneRequest): Promise<{ readonly closed: boolean }> {
    const r = PaneRequest.parse(request);
    const pane = this.panes.get(r.paneId);
    if (!pane) return { closed: false };
    this.panes.delete(r.paneId);
    pane.running?.abort.abort();
    await pane.generator.then((g) => g.dispose()).catch(() => undefined);
    return { closed: true };
  }

  dispose(): void {
    for (const [id, pane] of this.panes) {
      this.panes.delete(id);
      pane.running?.abort.abort();
      void pane.generator.then((g) => g.dispose()).catch(() => undefined);
    }
  }
}
