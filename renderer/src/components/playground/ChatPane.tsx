// One playground pane: what it talks to (model or run, engine), the conversation it has answered so far with
// tokens/s per answer, and its stop button. Reads the slice; sends nothing itself but stop and target changes.
import type { PlaygroundEngine } from '../../../../preload/contract/playground.js';
import { useMainMessage } from '../../i18n/main-message.js';
import { useT } from '../../i18n/use-t.js';
import { useLathe } from '../../store/bound-store.js';
import type { PaneAnswer, PaneKey } from '../../store/playground/initialState.js';
import { playgroundSelectors } from '../../store/playground/selectors.js';
import { Field } from '../Field.js';
import { targetLabel } from './target-label.js';

export function ChatPane({ pane }: { pane: PaneKey }) {
  const t = useT();
  const state = useLathe(playgroundSelectors.pane(pane));
  const targets = useLathe(playgroundSelectors.targets);
  const questions = useLathe(playgroundSelectors.questions);
  const busy = useLathe(playgroundSelectors.paneBusy(pane));
  const setTarget = useLathe((s) => s.setPaneTarget);
  const setEngine = useLathe((s) => s.setPaneEngine);
  const stop = useLathe((s) => s.stopPane);
  const title = t(pane === 'left' ? 'playground.pane.left' : 'playground.pane.right');
  return (
    <section className="panel" aria-label={title} data-testid={`pane-${pane}`}>
      <div className="row">
        <Field label={t('playground.pane.target')}>
          <select className="pane-target" value={state.targetKey ?? ''} onChange={(e) => setTarget(pane, e.target.value || undefined)} disabled={busy} data-testid={`target-${pane}`}>
            <option value="">{t('playground.pane.off')}</option>
            {targets.map((x) => (
              <option key={x.key} value={x.key}>
                {targetLabel(t, x)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('playground.pane.engine')}>
          <select value={state.engine} onChange={(e) => setEngine(pane, e.target.value as PlaygroundEngine)} disabled={busy} data-testid={`engine-${pane}`}>
            <option value="native">{t('playground.engine.native')}</option>
            <option value="onnx">{t('playground.engine.onnx')}</option>
          </select>
        </Field>
        <span className="spacer" />
        <button type="button" className="secondary" disabled={!busy} onClick={() => void stop(pane)} data-testid={`stop-${pane}`}>
          {t('playground.pane.stop')}
        </button>
      </div>
      <div className="preview-scroll" aria-live="polite">
        {!state.targetKey ? (
          <p className="muted">{t('playground.pane.noTarget')}</p>
        ) : questions.length === 0 ? (
          <p className="muted">{t('playground.pane.empty')}</p>
        ) : (
          questions.map((q, i) => (
            <div key={i} className="record-pair" style={{ gridTemplateColumns: 'minmax(0, 1fr)' }}>
              <div className="turn">
                <span className="role">{t('playground.you')}</span>
                {q}
              </div>
              <Answer answer={state.answers[i]} />
            </div>
          ))
        )}
      </div>
    </section>
  );
}

function Answer({ answer }: { answer: PaneAnswer | undefined }) {
  const t = useT();
  const tm = useMainMessage();
  if (!answer) return null;
  if (answer.status === 'error') {
    return (
      <div className="banner banner-error" role="alert" data-testid="answer-error">
        {answer.error}
      </div>
    );
  }
  const waiting = answer.status === 'streaming' && answer.text === '';
  return (
    <div>
      <pre data-testid="answer" data-status={answer.status}>
        {waiting ? <span className="muted">{t('playground.answer.thinking')}</span> : answer.text}
      </pre>
      {answer.finishReason !== 'given' && (
        <span className="card-meta" data-testid="answer-stats">
          {t('playground.answer.stats', { tokens: answer.tokens, rate: answer.tokensPerS.toFixed(1) })}
          {answer.template && ` · ${t('playground.answer.template', { name: answer.template })}`}
          {answer.status === 'stopped' && ` · ${t('playground.answer.stopped')}`}
          {answer.finishReason === 'length' && ` · ${t('playground.answer.limit')}`}
        </span>
      )}
      {answer.warnings?.map((w) => (
        <div key={w.message} className="card-meta">
          {tm(w)}
        </div>
      ))}
    </div>
  );
}
