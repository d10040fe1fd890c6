// Pure reads of the playground slice: each pane's target, the conversation a pane continues, whether anything is
// still answering.
import type { ChatMessage, TargetDto } from '../../../../preload/contract/playground.js';
import type { LatheStore } from '../index.js';
import { PANE_IDS, type PaneKey } from './initialState.js';

type S = Pick<LatheStore, 'pgTargets' | 'pgPanes' | 'pgQuestions'>;

export function targetOf(s: S, pane: PaneKey): TargetDto | undefined {
  const key = s.pgPanes[pane].targetKey;
  return key === undefined ? undefined : s.pgTargets.find((t) => t.key === key);
}

/**
 * The messages pane `pane` answers for question `index`: every earlier question with this pane's own answer (each
 * model continues its own conversation), then the question.
 */
export function paneMessages(s: S, pane: PaneKey, index: number): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (let i = 0; i < index && i < s.pgQuestions.length; i++) {
    out.push({ role: 'user', content: s.pgQuestions[i]! }, { role: 'assistant', content: s.pgPanes[pane].answers[i]?.text ?? '' });
  }
  const q = s.pgQuestions[index];
  if (q !== undefined) out.push({ role: 'user', content: q });
  return out;
}

export const playgroundSelectors = {
  targets: (s: LatheStore) => s.pgTargets,
  targetsStatus: (s: LatheStore) => s.pgTargetsStatus,
  pane: (pane: PaneKey) => (s: LatheStore) => s.pgPanes[pane],
  questions: (s: LatheStore) => s.pgQuestions,
  sampling: (s: LatheStore) => s.pgSampling,
  system: (s: LatheStore) => s.pgSystem,
  template: (s: LatheStore) => s.pgTemplate,
  rendered: (s: LatheStore) => s.pgRendered,
  datasets: (s: LatheStore) => s.pgDatasets,
  datasetId: (s: LatheStore) => s.pgDatasetId,
  validation: (s: LatheStore) => s.pgValidation,
  validationTotal: (s: LatheStore) => s.pgValidationTotal,
  validationHasMore: (s: LatheStore) => s.pgValidationLoaded < s.pgValidationTotal,
  reference: (s: LatheStore) => s.pgReference,
  error: (s: LatheStore) => s.pgError,
  busy: (s: LatheStore) => PANE_IDS.some((p) => s.pgPanes[p].answers.some((a) => a?.status === 'streaming')),
  paneBusy: (pane: PaneKey) => (s: LatheStore) => s.pgPanes[pane].answers.some((a) => a?.status === 'streaming'),
};
