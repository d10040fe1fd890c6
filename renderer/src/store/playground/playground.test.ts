import { describe, expect, it } from 'vitest';
import type { DatasetRowDto } from '../../../../preload/contract/datasets.js';
import type { ErrorEvent, GenerateRequest, GenerationResultDto, RenderRequest, TargetDto, TokenEvent } from '../../../../preload/contract/playground.js';
import type { PlaygroundService } from '../../services/playground.js';
import { datasetDto, emitter, testStore } from '../testing/fake-services.js';
import { paneMessages, playgroundSelectors, targetOf } from './selectors.js';
import { validationPrompt } from './validation-prompt.js';

const targets: TargetDto[] = [
  { key: 'model:/m/tiny', modelName: 'tiny', runName: null, target: { model: '/m/tiny' }, runId: null, template: null, datasetIds: [] },
  { key: 'run:3', modelName: 'tiny', runName: 'support #3', target: { model: '/m/tiny', adapter: '/w/run3/adapter' }, runId: 3, template: 'chatml', datasetIds: [7] },
];

function row(idx: number, record: DatasetRowDto['record']): DatasetRowDto {
  return { idx, sourceRow: idx + 2, record, original: record, edited: false, excluded: false, split: 'validation' };
}

/** Streams each answer as token events, then resolves; `hold` keeps answers open until released or stopped. */
function fakePlayground() {
  const token = emitter<TokenEvent>();
  const done = emitter<GenerationResultDto>();
  const error = emitter<ErrorEvent>();
  const requests: GenerateRequest[] = [];
  const renders: RenderRequest[] = [];
  const open = new Map<string, (reason: 'stop' | 'cancelled') => void>();
  let hold = false;
  const service: PlaygroundService = {
    targets: async () => targets,
    render: async (r) => (renders.push(r), { template: r.template ?? 'chatml', text: `<|im_start|>user\n${r.messages.at(-1)!.content}<|im_end|>\n<|im_start|>assistant\n`, promptTokens: 9, stopWords: ['<|im_end|>'], stopTokenIds: [4095], warnings: [] }),
    async generate(r) {
      requests.push(r);
      if (r.target.model === '/broken') throw new Error('Model folder /broken does not exist.');
      const answer = r.target.adapter ? 'Use the reset link.' : 'I do not know.';
      const words = answer.split(' ');
      words.forEach((w, i) => token.emit({ paneId: r.paneId, generationId: r.generationId, ids: [i], text: (i ? ' ' : '') + w, count: i + 1, tokensPerS: 50 }));
      const reason = hold ? await new Promise<'stop' | 'cancelled'>((res) => open.set(r.paneId, res)) : 'stop';
      const result: GenerationResultDto = { paneId: r.paneId, generationId: r.generationId, engine: r.engine ?? 'native', text: answer, tokens: words.map((_, i) => i), promptTokens: 9, finishReason: reason, tokensPerS: 50, seconds: 0.1, template: 'chatml', warnings: [] };
      done.emit(result);
      return result;
    },
    stop: async (paneId) => {
      const r = open.get(paneId);
      open.delete(paneId);
      r?.('cancelled');
      return { stopped: !!r };
    },
    close: async () => ({ closed: true }),
    datasets: async () => [datasetDto(7, 1, 'tickets'), datasetDto(8, 1, 'other')],
    validationRows: async (id, offset = 0) => ({
      total: 4,
      rows: offset > 0 ? [row(3, { kind: 'single', instruction: 'Late row?', output: 'Yes.' })] : [
        row(0, { kind: 'single', instruction: 'Reset password?', output: 'Click “Forgot password”.' }),
        row(1, { kind: 'text', text: 'no answer here' }),
        row(2, { kind: 'conversation', system: 'Be kind.', messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }, { role: 'user', content: `Refund for ${id}?` }, { role: 'assistant', content: 'Yes, within 14 days.' }] }),
      ],
    }),
    onToken: (cb) => token.on(cb),
    onDone: (cb) => done.on(cb),
    onError: (cb) => error.on(cb),
  };
  return { service, requests, renders, setHold: (h: boolean) => (hold = h), release: () => [...open.values()].forEach((r) => r('stop')) };
}

describe('validation rows as prompts', () => {
  it('takes the last answer as the reference and earlier turns as history', () => {
    const v = validationPrompt(1, row(4, { kind: 'conversation', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }, { role: 'assistant', content: 'd' }] }));
    expect(v).toEqual({ datasetId: 1, row: 4, system: 'S', history: [{ question: 'a', answer: 'b' }], question: 'c', reference: 'd' });
    expect(validationPrompt(1, row(0, { kind: 'single', instruction: 'I', input: 'X', output: 'O' }))?.question).toBe('I\nX');
    expect(validationPrompt(1, row(0, { kind: 'text', text: 't' }))).toBeNull();
    expect(validationPrompt(1, row(0, { kind: 'conversation', messages: [{ role: 'user', content: 'only a question' }] }))).toBeNull();
  });
});

describe('playground slice', () => {
  it('loads targets: base on the left, the fine-tuned run on the right, and the run’s validation rows', async () => {
    const f = fakePlayground();
    const s = testStore({ playground: f.service });
    await s.getState().loadPlaygroundTargets(1);
    expect(targetOf(s.getState(), 'left')?.key).toBe('model:/m/tiny');
    expect(targetOf(s.getState(), 'right')?.key).toBe('run:3');
    expect(playgroundSelectors.datasetId(s.getState())).toBe(7);
    expect(playgroundSelectors.validation(s.getState()).map((v) => v.row)).toEqual([0, 2]);
    expect(playgroundSelectors.validationHasMore(s.getState())).toBe(true);
    await s.getState().loadMoreValidation();
    expect(playgroundSelectors.validation(s.getState()).map((v) => v.row)).toEqual([0, 2, 3]);
    expect(playgroundSelectors.validationHasMore(s.getState())).toBe(false);
  });

  it('asks both panes one question, streams tokens in, and keeps each pane’s own history', async () => {
    const f = fakePlayground();
    const s = testStore({ playground: f.service });
    const off = s.getState().watchPlayground();
    await s.getState().loadPlaygroundTargets(1);
    s.getState().setSampling({ temperature: 0.2, doSample: true });
    s.getState().setPlaygroundSystem('Be brief.');
    await s.getState().ask('How do I reset my password?');
    const left = s.getState().pgPanes.left.answers[0]!;
    const right = s.getState().pgPanes.right.answers[0]!;
    expect(left).toMatchObject({ text: 'I do not know.', status: 'done', tokens: 4, tokensPerS: 50, template: 'chatml' });
    expect(right).toMatchObject({ text: 'Use the reset link.', status: 'done' });
    expect(f.requests.map((r) => [r.paneId, r.template, r.system, r.sampling?.temperature])).toEqual([
      ['left', undefined, 'Be brief.', 0.2],
      ['right', 'chatml', 'Be brief.', 0.2],
    ]);
    await s.getState().ask('And then?');
    expect(f.requests[3]!.messages).toEqual([
      { role: 'user', content: 'How do I reset my password?' },
      { role: 'assistant', content: 'Use the reset link.' },
      { role: 'user', content: 'And then?' },
    ]);
    expect(paneMessages(s.getState(), 'left', 1)[1]).toEqual({ role: 'assistant', content: 'I do not know.' });
    s.getState().clearConversation();
    expect(playgroundSelectors.questions(s.getState())).toEqual([]);
    off();
  });

  it('stop ends a streaming answer as stopped; a second question waits', async () => {
    const f = fakePlayground();
    const s = testStore({ playground: f.service });
    s.getState().watchPlayground();
    await s.getState().loadPlaygroundTargets(1);
    f.setHold(true);
    const asking = s.getState().ask('Long question');
    await Promise.resolve();
    expect(playgroundSelectors.busy(s.getState())).toBe(true);
    expect(s.getState().pgPanes.right.answers[0]?.text).toBe('Use the reset link.');
    await s.getState().ask('Another');
    expect(playgroundSelectors.error(s.getState())).toMatch(/Still answering/);
    await s.getState().stopAll();
    await asking;
    expect(s.getState().pgPanes.left.answers[0]?.status).toBe('stopped');
    expect(playgroundSelectors.busy(s.getState())).toBe(false);
    expect(playgroundSelectors.questions(s.getState())).toEqual(['Long question']);
  });

  it('a failing pane shows its error while the other answers', async () => {
    const f = fakePlayground();
    const s = testStore({ playground: f.service });
    await s.getState().loadPlaygroundTargets(1);
    s.setState({ pgTargets: [...targets, { key: 'model:/broken', modelName: 'broken', runName: null, target: { model: '/broken' }, runId: null, template: null, datasetIds: [] }] });
    s.getState().setPaneTarget('left', 'model:/broken');
    await s.getState().ask('Hello?');
    expect(s.getState().pgPanes.left.answers[0]).toMatchObject({ status: 'error', error: 'Model folder /broken does not exist.' });
    expect(s.getState().pgPanes.right.answers[0]).toMatchObject({ status: 'done' });
  });

  it('a validation row becomes the conversation, with its reference answer', async () => {
    const f = fakePlayground();
    const s = testStore({ playground: f.service });
    await s.getState().loadPlaygroundTargets(1);
    const v = playgroundSelectors.validation(s.getState())[1]!;
    await s.getState().askValidation(v);
    expect(playgroundSelectors.questions(s.getState())).toEqual(['Hi', 'Refund for 7?']);
    expect(playgroundSelectors.reference(s.getState())?.reference).toBe('Yes, within 14 days.');
    expect(s.getState().pgSystem).toBe('Be kind.');
    expect(f.requests.at(-1)!.messages).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: 'Refund for 7?' },
    ]);
    await s.getState().renderPrompt('Next?');
    expect(playgroundSelectors.rendered(s.getState())?.text).toContain('Next?');
    expect(f.renders.at(-1)!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    s.getState().clearConversation();
    expect(playgroundSelectors.rendered(s.getState())).toBeUndefined();
    expect(playgroundSelectors.reference(s.getState())).toBeUndefined();
  });
});
