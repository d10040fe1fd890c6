// The playground: two panes (base | fine-tuned, or two runs) answer the same questions side by side, streaming,
// with tokens/s each; one prompt box, stop, a new conversation, shared settings, and validation rows as questions
// with their reference answer. Works without a project (all runs and local models are offered).
import { useEffect, useState } from 'react';
import { ChatPane } from '../components/playground/ChatPane.js';
import { ChatSettings } from '../components/playground/ChatSettings.js';
import { ValidationPicker } from '../components/playground/ValidationPicker.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { useT } from '../i18n/use-t.js';
import { useLathe } from '../store/bound-store.js';
import { playgroundSelectors } from '../store/playground/selectors.js';
import { projectsSelectors } from '../store/projects/selectors.js';

export function PlaygroundPage() {
  const t = useT();
  const project = useLathe(projectsSelectors.selected);
  const targets = useLathe(playgroundSelectors.targets);
  const status = useLathe(playgroundSelectors.targetsStatus);
  const error = useLathe(playgroundSelectors.error);
  const busy = useLathe(playgroundSelectors.busy);
  const reference = useLathe(playgroundSelectors.reference);
  const questions = useLathe(playgroundSelectors.questions);
  const load = useLathe((s) => s.loadPlaygroundTargets);
  const watch = useLathe((s) => s.watchPlayground);
  const ask = useLathe((s) => s.ask);
  const stopAll = useLathe((s) => s.stopAll);
  const clear = useLathe((s) => s.clearConversation);
  const clearError = useLathe((s) => s.clearPlaygroundError);
  const [question, setQuestion] = useState('');
  const projectId = project?.id;

  useEffect(() => watch(), [watch]);
  useEffect(() => {
    void load(projectId);
  }, [projectId, load]);

  const send = () => {
    const q = question.trim();
    if (!q || busy) return;
    setQuestion('');
    void ask(q);
  };
  const showReference = reference && questions.length === reference.history.length + 1 && questions.at(-1) === reference.question;

  return (
    <section className="page" aria-labelledby="playground-heading">
      <header className="page-header">
        <h1 id="playground-heading">{t('playground.heading')}</h1>
      </header>
      <p className="muted">{t('playground.intro')}</p>
      {error && <ErrorBanner message={error} onDismiss={clearError} />}
      {status === 'ready' && targets.length === 0 ? (
        <div className="empty-state">
          <p>{t('playground.noTargets')}</p>
        </div>
      ) : (
        <div className="stack">
          <div className="grid-2">
            <ChatPane pane="left" />
            <ChatPane pane="right" />
          </div>
          {showReference && (
            <section className="panel banner-info" data-testid="reference">
              <strong>{t('playground.reference', { row: reference.row })}</strong>
              <pre>{reference.reference}</pre>
            </section>
          )}
          <form
            className="panel"
            onSubmit={(e) => {
              e.preventDefault();
              send();
            }}
          >
            <Field label={t('playground.prompt.label')}>
              <textarea
                rows={3}
                value={question}
                placeholder={t('playground.prompt.placeholder')}
                onChange={(e) => setQuestion(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                    e.preventDefault();
                    send();
                  }
                }}
                data-testid="prompt-input"
              />
            </Field>
            <div className="row end" style={{ marginTop: 8 }}>
              <button type="button" className="secondary" onClick={clear} disabled={busy || questions.length === 0} data-testid="clear">
                {t('playground.clear')}
              </button>
              <button type="button" className="secondary" onClick={() => void stopAll()} disabled={!busy} data-testid="stop-all">
                {t('playground.stopAll')}
              </button>
              <button type="submit" disabled={busy || question.trim() === ''} data-testid="send">
                {t('playground.send')}
              </button>
            </div>
          </form>
          <ValidationPicker />
          <ChatSettings question={question} />
        </div>
      )}
    </section>
  );
}
