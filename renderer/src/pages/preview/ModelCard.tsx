// A model folder's facts: architecture, size, context, dtype, base or instruct, and the VRAM LoRA/QLoRA would need.
import type { ModelCardDto } from '../../../../preload/contract/models.js';
import { formatBytes } from '../../components/eta.js';
import { useMainMessage } from '../../i18n/main-message.js';
import { useT } from '../../i18n/use-t.js';

export function formatParams(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

export function ModelCard({ card }: { card: ModelCardDto }) {
  const t = useT();
  const tm = useMainMessage();
  return (
    <div className="model-card" data-testid="model-card">
      <div className="row" style={{ marginBottom: 8 }}>
        <strong>{card.name}</strong>
        <span className="badge">{card.kind === 'instruct' ? t('preview.card.instruct') : t('preview.card.base')}</span>
        <span className="badge">{card.architecture}</span>
      </div>
      <dl>
        <dt>{t('preview.card.params')}</dt>
        <dd>{formatParams(card.parameters)}</dd>
        <dt>{t('preview.card.context')}</dt>
        <dd>{card.contextLength.toLocaleString()}</dd>
        <dt>{t('preview.card.layers')}</dt>
        <dd>
          {card.layers} × {card.hiddenSize} · {t('preview.card.heads', { heads: card.heads, kv: card.kvHeads })}
        </dd>
        <dt>{t('preview.card.dtype')}</dt>
        <dd>
          {card.dtype} · {formatBytes(card.weightBytes)}
        </dd>
        <dt>{t('preview.card.template')}</dt>
        <dd>{card.proposedTemplate}</dd>
      </dl>
      {card.vram.length > 0 && (
        <table className="simple" style={{ marginTop: 10 }}>
          <thead>
            <tr>
              <th>{t('preview.card.vram')}</th>
              <th className="num">{t('preview.card.weights')}</th>
              <th className="num">{t('preview.card.activations')}</th>
              <th className="num">{t('preview.card.total')}</th>
            </tr>
          </thead>
          <tbody>
            {card.vram.map((v) => (
              <tr key={v.method}>
                <td>
                  {v.method === 'qlora' ? 'QLoRA' : 'LoRA'} <span className="muted">({t('preview.card.vramShape', { seq: v.seqLen, batch: v.batchSize, rank: v.loraRank })})</span>
                </td>
                <td className="num">{formatBytes(v.weightsBytes)}</td>
                <td className="num">{formatBytes(v.activationBytes + v.scratchBytes)}</td>
                <td className="num">
                  <strong>{formatBytes(v.totalBytes)}</strong>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {card.warnings.map((w) => (
        <p key={w.message} className="banner banner-warn">
          {tm(w)}
        </p>
      ))}
    </div>
  );
}
