// A library model's full card (shape, tokens, template proposal, VRAM, warnings), loaded when opened: reading
// safetensors headers of a big model is cheap but not free, so closed rows cost nothing.
import { useLathe } from '../../store/bound-store.js';
import { librarySelectors } from '../../store/library/selectors.js';
import { useMainMessage } from '../../i18n/main-message.js';
import { useT } from '../../i18n/use-t.js';
import { formatBytes } from './format.js';

export function ModelCardDetails({ id }: { id: number }) {
  const t = useT();
  const tm = useMainMessage();
  const card = useLathe(librarySelectors.card(id));
  const load = useLathe((s) => s.loadModelCard);
  return (
    <details
      className="lib-card"
      onToggle={(e) => {
        if ((e.currentTarget as HTMLDetailsElement).open && !card) void load(id);
      }}
    >
      <summary>{t('library.card.show')}</summary>
      {!card ? (
        <p className="muted lib-small">{t('common.loading')}</p>
      ) : (
        <dl className="lib-card-grid" data-testid="model-card">
          <dt>{t('library.card.shape')}</dt>
          <dd>{t('library.card.shape.value', { layers: card.layers, hidden: card.hiddenSize, heads: card.heads, kv: card.kvHeads, vocab: card.vocabSize })}</dd>
          <dt>{t('library.card.context')}</dt>
          <dd>{card.contextLength}</dd>
          <dt>{t('library.card.tokens')}</dt>
          <dd>
            BOS {card.bosToken ?? '—'} · EOS {card.eosToken ?? '—'} · PAD {card.padToken ?? '—'}
          </dd>
          <dt>{t('library.card.template')}</dt>
          <dd>
            {card.proposedTemplate} ({card.hasChatTemplate ? t('library.card.hasChatTemplate') : t('library.card.noChatTemplate')}) · {t(card.kind === 'base' ? 'preview.card.base' : 'preview.card.instruct')}: {tm(card.kindReason)}
          </dd>
          <dt>{t('library.card.vram')}</dt>
          <dd>{card.vram.map((v) => `${v.method.toUpperCase()} ${formatBytes(v.totalBytes)}`).join(' · ')}</dd>
          {card.warnings.length > 0 && (
            <>
              <dt>{t('library.card.warnings')}</dt>
              <dd>
                <ul className="lib-problems">
                  {card.warnings.map((w) => (
                    <li key={w.message}>{tm(w)}</li>
                  ))}
                </ul>
              </dd>
            </>
          )}
        </dl>
      )}
    </details>
  );
}
