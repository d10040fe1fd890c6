// The playground slice's actions: pick what each pane talks to, ask both panes the same question (tokens streamed
// in from events keyed by generation id), stop, clear, show the rendered template, and take a validation row as
// the question with its reference answer.
import type { StateCreator } from 'zustand';
import type { ChatMessage, GenerationResultDto, PlaygroundEngine, SamplingOptions } from '../../../../preload/contract/playground.js';
import { messageOf } from '../../bridge/lathe-error.js';
import type { PlaygroundService } from '../../services/playground.js';
import type { LatheStore } from '../index.js';
import { PANE_IDS, playgroundInitialState, type PaneAnswer, type PaneKey, type PaneState, type PlaygroundState } from './initialState.js';
import { paneMessages, targetOf } from './selectors.js';
import { validationPrompt, type ValidationPrompt } from './validation-prompt.js';

export interface PlaygroundActions {
  loadPlaygroundTargets(projectId: number | undefined): Promise<void>;
  setPaneTarget(pane: PaneKey, key: string | undefined): void;
  setPaneEngine(pane: PaneKey, engine: PlaygroundEngine): void;
  setPlaygroundSystem(system: string): void;
  setPlaygroundTemplate(template: string): void;
  setSampling(patch: Partial<SamplingOptions>): void;
  /** Sends the question to every pane that has a target; resolves when all have answered. */
  ask(question: string): Promise<void>;
  stopPane(pane: PaneKey): Promise<void>;
  stopAll(): Promise<void>;
  clearConversation(): void;
  /** The prompt the left pane's model would read for the next question (shows the template). */
  renderPrompt(question: string): Promise<void>;
  loadValidation(datasetId: number | undefined): Promise<void>;
  /** The next page of the dataset's validation rows. */
  loadMoreValidation(): Promise<void>;
  /** Starts a fresh conversation from a validation row (its history, its question) and asks it. */
  askValidation(v: ValidationPrompt): Promise<void>;
  /** Subscribes to the streamed answers; returns the unsubscribe. */
  watchPlayground(): () => void;
  clearPlaygroundError(): void;
}

export type PlaygroundSlice = PlaygroundState & PlaygroundActions;

let seq = 0;

/** Validation rows fetched at a time. */
export const VALIDATION_PAGE = 200;

export const createPlaygroundSlice =
  (service: PlaygroundService): StateCreator<LatheStore, [], [], PlaygroundSlice> =>
  (set, get) => {
    const setPane = (pane: PaneKey, patch: Partial<PaneState>) => set({ pgPanes: { ...get().pgPanes, [pane]: { ...get().pgPanes[pane], ...patch } } });
    /** Updates the answer with this generation id, wherever it sits. */
    const patchAnswer = (generationId: string, patch: (a: PaneAnswer) => Partial<PaneAnswer>) => {
      const panes = get().pgPanes;
      for (const key of PANE_IDS) {
        const i = panes[key].answers.findIndex((a) => a?.generationId === generationId);
        if (i < 0) continue;
        const answers = [...panes[key].answers];
        answers[i] = { ...answers[i]!, ...patch(answers[i]!) };
        setPane(key, { answers });
        return;
      }
    };
    const finish = (r: GenerationResultDto) =>
      patchAnswer(r.generationId, () => ({
        text: r.text,
        status: r.finishReason === 'cancelled' ? 'stopped' : 'done',
        tokens: r.tokens.length,
        tokensPerS: r.tokensPerS,
        finishReason: r.finishReason,
        template: r.template,
        warnings: r.warnings,
      }));
    const fail = (generationId: string, message: string) => patchAnswer(generationId, (a) => (a.status === 'streaming' ? { status: 'error', error: message } : {}));
    const templateFor = (pane: PaneKey) => get().pgTemplate.trim() || targetOf(get(), pane)?.template || undefined;

    const askPane = async (pane: PaneKey, index: number): Promise<void> => {
      const s = get();
      const target = targetOf(s, pane);
      if (!target) return;
      const generationId = `${pane}-${Date.now().toString(36)}-${++seq}`;
      const answers = [...s.pgPanes[pane].answers];
      answers[index] = { generationId, text: '', status: 'streaming', tokens: 0, tokensPerS: 0 };
      setPane(pane, { answers });
      const messages: ChatMessage[] = paneMessages(get(), pane, index);
      const template = templateFor(pane);
      try {
        const r = await service.generate({
          paneId: pane,
          generationId,
          target: target.target,
          engine: s.pgPanes[pane].engine,
          ...(template ? { template } : {}),
          ...(s.pgSystem.trim() ? { system: s.pgSystem } : {}),
          messages,
          sampling: s.pgSampling,
        });
        finish(r);
      } catch (err) {
        fail(generationId, messageOf(err));
      }
    };

    return {
      ...playgroundInitialState,
      async loadPlaygroundTargets(projectId) {
        set({ pgTargetsStatus: 'loading' });
        try {
          const targets = await service.targets(projectId);
          const panes = get().pgPanes;
          const keys = new Set(targets.map((t) => t.key));
          // Sensible first choice: base model on the left, the newest fine-tuned run on the right.
          const run = targets.find((t) => t.runId !== null);
          const base = run ? targets.find((t) => t.key === `model:${run.target.model}`) : targets.find((t) => t.runId === null);
          set({
            pgTargets: targets,
            pgTargetsStatus: 'ready',
            pgPanes: {
              left: { ...panes.left, targetKey: panes.left.targetKey && keys.has(panes.left.targetKey) ? panes.left.targetKey : base?.key },
              right: { ...panes.right, targetKey: panes.right.targetKey && keys.has(panes.right.targetKey) ? panes.right.targetKey : run?.key },
            },
          });
          const datasetIds = new Set(run?.datasetIds ?? []);
          const ds = await service.datasets(projectId);
          const current = get().pgDatasetId;
          set({ pgDatasets: ds });
          const pick = current !== undefined && ds.some((d) => d.id === current) ? current : (ds.find((d) => datasetIds.has(d.id)) ?? ds[0])?.id;
          if (pick !== current) await get().loadValidation(pick);
        } catch (err) {
          set({ pgTargetsStatus: 'error', pgError: messageOf(err) });
        }
      },
      setPaneTarget(pane, key) {
        setPane(pane, { targetKey: key });
        void service.close(pane).catch(() => undefined);
      },
      setPaneEngine(pane, engine) {
        setPane(pane, { engine });
      },
      setPlaygroundSystem: (system) => set({ pgSystem: system }),
      setPlaygroundTemplate: (template) => set({ pgTemplate: template }),
      setSampling: (patch) => set({ pgSampling: { ...get().pgSampling, ...patch } }),
      async ask(question) {
        const q = question.trim();
        if (!q) return;
        if (PANE_IDS.some((p) => get().pgPanes[p].answers.some((a) => a?.status === 'streaming'))) {
          set({ pgError: 'Still answering: stop the panes or wait before asking again.' });
          return;
        }
        if (!PANE_IDS.some((p) => targetOf(get(), p))) {
          set({ pgError: 'Choose a model or run for at least one pane first.' });
          return;
        }
        const index = get().pgQuestions.length;
        set({ pgQuestions: [...get().pgQuestions, q], pgError: undefined });
        await Promise.all(PANE_IDS.map((p) => askPane(p, index)));
      },
      async stopPane(pane) {
        try {
          await service.stop(pane);
        } catch (err) {
          set({ pgError: messageOf(err) });
        }
      },
      async stopAll() {
        await Promise.all(PANE_IDS.map((p) => get().stopPane(p)));
      },
      clearConversation() {
        const panes = get().pgPanes;
        set({ pgQuestions: [], pgReference: undefined, pgRendered: undefined, pgPanes: { left: { ...panes.left, answers: [] }, right: { ...panes.right, answers: [] } } });
      },
      async renderPrompt(question) {
        const target = targetOf(get(), 'left') ?? targetOf(get(), 'right');
        if (!target) return;
        const pane: PaneKey = targetOf(get(), 'left') ? 'left' : 'right';
        // Every question so far with this pane's answers, then the one being typed.
        const messages: ChatMessage[] = [...paneMessages(get(), pane, get().pgQuestions.length), { role: 'user', content: question.trim() || '…' }];
        const template = templateFor(pane);
        try {
          const r = await service.render({ model: target.target.model, ...(template ? { template } : {}), ...(get().pgSystem.trim() ? { system: get().pgSystem } : {}), messages });
          set({ pgRendered: r });
        } catch (err) {
          set({ pgRendered: undefined, pgError: messageOf(err) });
        }
      },
      async loadValidation(datasetId) {
        set({ pgDatasetId: datasetId, pgValidation: [], pgValidationTotal: 0, pgValidationLoaded: 0 });
        if (datasetId === undefined) return;
        try {
          const r = await service.validationRows(datasetId, 0, VALIDATION_PAGE);
          if (get().pgDatasetId !== datasetId) return;
          const prompts = r.rows.map((row) => validationPrompt(datasetId, row)).filter((v): v is ValidationPrompt => v !== null);
          set({ pgValidation: prompts, pgValidationTotal: r.total, pgValidationLoaded: r.rows.length });
        } catch (err) {
          set({ pgError: messageOf(err) });
        }
      },
      async loadMoreValidation() {
        const datasetId = get().pgDatasetId;
        const offset = get().pgValidationLoaded;
        if (datasetId === undefined || offset >= get().pgValidationTotal) return;
        try {
          const r = await service.validationRows(datasetId, offset, VALIDATION_PAGE);
          if (get().pgDatasetId !== datasetId || get().pgValidationLoaded !== offset) return;
          const more = r.rows.map((row) => validationPrompt(datasetId, row)).filter((v): v is ValidationPrompt => v !== null);
          set({ pgValidation: [...get().pgValidation, ...more], pgValidationLoaded: offset + r.rows.length, pgValidationTotal: r.total });
        } catch (err) {
          set({ pgError: messageOf(err) });
        }
      },
      async askValidation(v) {
        if (PANE_IDS.some((p) => get().pgPanes[p].answers.some((a) => a?.status === 'streaming'))) {
          set({ pgError: 'Still answering: stop the panes or wait before asking again.' });
          return;
        }
        const panes = get().pgPanes;
        // The row's earlier turns become history every pane shares (as given, not generated).
        const given = v.history.map((h): PaneAnswer => ({ generationId: `given-${++seq}`, text: h.answer, status: 'done', tokens: 0, tokensPerS: 0, finishReason: 'given' }));
        set({
          pgQuestions: v.history.map((h) => h.question),
          pgPanes: { left: { ...panes.left, answers: given }, right: { ...panes.right, answers: given } },
          pgSystem: v.system ?? get().pgSystem,
          pgReference: v,
        });
        await get().ask(v.question);
      },
      watchPlayground() {
        const offs = [
          service.onToken((e) => patchAnswer(e.generationId, (a) => (a.status === 'streaming' ? { text: a.text + e.text, tokens: e.count, tokensPerS: e.tokensPerS } : {}))),
          service.onDone(finish),
          service.onError((e) => fail(e.generationId, e.message)),
        ];
        return () => offs.forEach((off) => off());
      },
      clearPlaygroundError: () => set({ pgError: undefined }),
    };
  };

/** For stores built without the playground (other slices' tests): every call says so. */
export const playgroundUnavailable = new Proxy({} as PlaygroundService, {
  get: () => () => {
    throw new Error('The playground service is not connected in this store.');
  },
});
