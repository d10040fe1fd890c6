// Validation rows of a dataset as ready-made questions: pick one and both panes answer it, its reference answer
// shown beside them. Reads the slice; the rows come from the datasets domain through the playground service.
import { useT } from '../../i18n/use-t.js';
import { useLathe } from '../../store/bound-store.js';
import { playgroundSelectors } from '../../store/playground/selectors.js';
import { Field } from '../Field.js';

export function ValidationPicker() {
  const t = useT();
  const datasets = useLathe(playgroundSelectors.datasets);
  const datasetId = useLathe(playgroundSelectors.datasetId);
  const rows = useLathe(playgroundSelectors.validation);
  const total = useLathe(playgroundSelectors.validationTotal);
  const busy = useLathe(playgroundSelectors.busy);
  const hasMore = useLathe(playgroundSelectors.validationHasMore);
  const load = useLathe((s) => s.loadValidation);
  const more = useLathe((s) => s.loadMoreValidation);
  const ask = useLathe((s) => s.askValidation);
  if (datasets.length === 0) return null;
  return (
    <details className="panel" data-testid="validation">
      <summary>{t('playground.validation')}</summary>
      <div className="row" style={{ marginTop: 12 }}>
        <Field label={t('playground.validation.dataset')}>
          <select value={datasetId ?? ''} onChange={(e) => void load(e.target.value ? Number(e.target.value) : undefined)}>
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </Field>
        {rows.length > 0 && <span className="card-meta">{t('playground.validation.count', { shown: rows.length, total })}</span>}
      </div>
      {rows.length === 0 ? (
        <p className="muted">{t('playground.validation.none')}</p>
      ) : (
        <ul className="plain-list preview-scroll" style={{ maxHeight: 260, marginTop: 8 }}>
          {rows.map((v) => (
            <li key={v.row} className="row">
              <button type="button" className="secondary" disabled={busy} onClick={() => void ask(v)} data-testid="use-validation-row">
                {t('playground.validation.use')}
              </button>
              <span className="cell-clip" title={v.question}>
                {v.question}
              </span>
            </li>
          ))}
          {hasMore && (
            <li>
              <button type="button" className="secondary" onClick={() => void more()} data-testid="more-validation-rows">
                {t('playground.validation.more')}
              </button>
            </li>
          )}
        </ul>
      )}
    </details>
  );
}
