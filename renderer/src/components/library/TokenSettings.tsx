// Hub access tokens: one password field per hub, where the token is kept (keychain, or memory for the session),
// save and forget. The token is never shown back.
import { useState } from 'react';
import type { HubSource, TokenStatusDto } from '../../../../preload/contract/index.js';
import { useMainMessage } from '../../i18n/main-message.js';
import { useT } from '../../i18n/use-t.js';

/** The status in the reader's language; main's English note (which names the backend) stays as a tooltip. */
function noteKey(s: TokenStatusDto) {
  if (!s.present) return 'library.tokens.none' as const;
  if (s.storage === 'memory') return 'library.tokens.memory' as const;
  if (s.storage === 'none') return 'library.tokens.env' as const;
  return 'library.tokens.keychain' as const;
}

export function TokenSettings({ tokens, onSave, onClear }: { tokens: readonly TokenStatusDto[]; onSave: (s: HubSource, token: string) => Promise<boolean>; onClear: (s: HubSource) => void }) {
  const t = useT();
  const tm = useMainMessage();
  const [typed, setTyped] = useState<Record<HubSource, string>>({ hf: '', modelscope: '' });
  return (
    <section className="panel" aria-labelledby="lib-tokens-heading">
      <h2 id="lib-tokens-heading">{t('library.tokens.heading')}</h2>
      <p className="muted lib-small">{t('library.tokens.help')}</p>
      {(['hf', 'modelscope'] as const).map((source) => {
        const status = tokens.find((x) => x.source === source);
        const label = t('library.tokens.label', { source: t(`library.source.${source}`) });
        return (
          <form
            key={source}
            className="row lib-token"
            onSubmit={(e) => {
              e.preventDefault();
              if (typed[source].trim()) void onSave(source, typed[source].trim()).then((ok) => ok && setTyped({ ...typed, [source]: '' }));
            }}
          >
            <label className="lib-field">
              <span className="lib-label">{label}</span>
              <input type="password" autoComplete="off" value={typed[source]} onChange={(e) => setTyped({ ...typed, [source]: e.target.value })} aria-describedby={`lib-token-${source}`} />
            </label>
            <button type="submit" disabled={!typed[source].trim()}>
              {t('library.tokens.save')}
            </button>
            {status?.present && status.storage !== 'none' && (
              <button type="button" className="secondary" onClick={() => onClear(source)}>
                {t('library.tokens.clear')}
              </button>
            )}
            <span className="muted lib-small" id={`lib-token-${source}`} data-testid={`token-status-${source}`} title={status ? tm({ code: status.noteCode, params: status.noteParams, message: status.note }) : undefined}>
              {status ? t(noteKey(status)) : ''}
            </span>
          </form>
        );
      })}
    </section>
  );
}
