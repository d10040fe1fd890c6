// Wizard step 3: a target field per row with its column(s) (the suggestion and its confidence pre-selected),
// a join template when several columns feed one field, role tags for conversation files, and a live preview
// of the mapped records beside the raw rows.
import { useShallow } from 'zustand/react/shallow';
import type { Mapping, RoleTags, TargetField } from '../../../../preload/contract/datasets.js';
import { RecordView } from '../../components/RecordView.js';
import { useMainMessage } from '../../i18n/main-message.js';
import { useT } from '../../i18n/use-t.js';
import { useLathe } from '../../store/bound-store.js';
import { importerSelectors } from '../../store/importer/selectors.js';
import { DEFAULT_ROLE_TAGS, SHAPES, SHAPE_FIELDS, confidenceLevel, defaultTemplate, setFieldColumns, setFieldTemplate, setRoleTag, setShape, type Shape } from '../../store/importer/mapping-edit.js';
import { cellPreview } from './cell-preview.js';

const ROLE_KEYS: readonly (keyof RoleTags)[] = ['roleTag', 'contentTag', 'userTag', 'assistantTag', 'systemTag', 'observationTag', 'functionTag'];

export function MappingStep() {
  const t = useT();
  const tm = useMainMessage();
  const { inspection, mapping, preview, busy } = useLathe(useShallow((s) => ({ inspection: s.inspection, mapping: s.mapping, preview: s.mappedPreview, busy: s.importBusy })));
  const missing = useLathe(useShallow(importerSelectors.missing));
  const update = useLathe((s) => s.updateMapping);
  const goTo = useLathe((s) => s.goToImportStep);
  if (!inspection || !mapping) return null;
  const suggestion = inspection.suggestion;
  const sameAsSuggested = (f: TargetField) => JSON.stringify(mapping.fields[f]?.columns) === JSON.stringify(suggestion.mapping.fields[f]?.columns);
  const raw = new Map(inspection.sampleRows.map((r) => [r.row, r.values]));

  return (
    <div className="stack">
      <div className="grid-2">
        <div className="panel" data-testid="mapping-form">
          <div className="row">
            <h2 style={{ margin: 0 }}>{t('import.mapping.title')}</h2>
            <span className="spacer" />
            <label className="check">
              <span>{t('import.mapping.shape')}</span>
              <select aria-label={t('import.mapping.shape')} value={mapping.shape} onChange={(e) => void update(setShape(mapping, e.target.value as Shape))}>
                {SHAPES.map((s) => (
                  <option key={s} value={s}>
                    {t(`import.shape.${s}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <p className="muted">{t(`import.shape.${mapping.shape}.help`)}</p>
          {SHAPE_FIELDS[mapping.shape].map(({ field, required }) => (
            <FieldRow
              key={field}
              field={field}
              required={required}
              mapping={mapping}
              columns={inspection.columns}
              confidence={sameAsSuggested(field) ? suggestion.fieldConfidence[field] : undefined}
              onChange={(m) => void update(m)}
            />
          ))}
          {mapping.shape === 'conversation' && (
            <details className="stack" style={{ marginTop: 12 }} open={suggestion.detectedFormat === 'sharegpt'}>
              <summary>{t('import.roles.title')}</summary>
              <p className="muted">{t('import.roles.help')}</p>
              <div className="form-grid">
                {ROLE_KEYS.map((k) => (
                  <label className="field" key={k}>
                    <span className="label">{t(`import.roles.${k}`)}</span>
                    <input value={(mapping.roles ?? DEFAULT_ROLE_TAGS)[k]} onChange={(e) => void update(setRoleTag(mapping, k, e.target.value))} />
                  </label>
                ))}
              </div>
            </details>
          )}
        </div>
        <div className="panel" aria-live="polite" data-testid="mapped-preview" aria-busy={busy === 'preview'}>
          <h2>{t('import.preview.title')}</h2>
          {missing.length > 0 ? (
            <p className="muted">{t('import.preview.missing', { fields: missing.map((f) => t(`field.${f}`)).join(', ') })}</p>
          ) : !preview ? (
            <p className="muted">{t('common.loading')}</p>
          ) : (
            <>
              <div className="record-pair muted" style={{ fontSize: 12 }}>
                <strong>{t('import.preview.raw')}</strong>
                <strong>{t('import.preview.mapped')}</strong>
              </div>
              <div className="preview-scroll">
              {preview.records.slice(0, 8).map((r) => (
                <div className="record-pair" key={r.row} data-testid="preview-record">
                  <dl className="kv">
                    <dt>{t('import.source.row')}</dt>
                    <dd>{r.row}</dd>
                    {Object.entries(raw.get(r.row) ?? {}).map(([k, v]) => [<dt key={`${k}k`}>{k}</dt>, <dd key={`${k}v`}>{cellPreview(v, 300)}</dd>])}
                  </dl>
                  <div>
                    {r.record ? <RecordView record={r.record} /> : <p className="muted">{t('import.preview.noRecord')}</p>}
                    {r.problems.map((p, i) => (
                      <p key={i} className="badge low" style={{ whiteSpace: 'normal' }}>
                        {p.column ? `${p.column}: ` : ''}
                        {tm(p)}
                      </p>
                    ))}
                  </div>
                </div>
              ))}
              </div>
            </>
          )}
        </div>
      </div>
      <div className="row end">
        <button type="button" className="secondary" onClick={() => goTo('source')}>
          {t('common.back')}
        </button>
        <button type="button" disabled={missing.length > 0} onClick={() => goTo('validate')}>
          {t('import.next.validate')}
        </button>
      </div>
    </div>
  );
}

function FieldRow({ field, required, mapping, columns, confidence, onChange }: { field: TargetField; required: boolean; mapping: Mapping; columns: readonly string[]; confidence: number | undefined; onChange: (m: Mapping) => void }) {
  const t = useT();
  const src = mapping.fields[field];
  const chosen = src?.columns ?? [];
  const level = chosen.length > 0 ? confidenceLevel(confidence) : 'none';
  const label = t(`field.${field}`);
  return (
    <div className="mapping-row" data-testid={`map-${field}`}>
      <div className="mapping-field">
        {label}
        {required && (
          <span className="req" title={t('import.mapping.required')}>
            *
          </span>
        )}
      </div>
      <div className="stack">
        <div className="column-chips">
          {chosen.map((c) => (
            <span className="chip" key={c}>
              {c}
              <button type="button" aria-label={t('import.mapping.removeColumn', { column: c, field: label })} onClick={() => onChange(setFieldColumns(mapping, field, chosen.filter((x) => x !== c)))}>
                ×
              </button>
            </span>
          ))}
          <select
            aria-label={chosen.length === 0 ? t('import.mapping.column', { field: label }) : t('import.mapping.addColumn', { field: label })}
            value=""
            onChange={(e) => {
              if (!e.target.value) return;
              const next = [...chosen, e.target.value];
              let m = setFieldColumns(mapping, field, next);
              if (next.length === 2 && !src?.template) m = setFieldTemplate(m, field, defaultTemplate(next));
              onChange(m);
            }}
          >
            <option value="">{chosen.length === 0 ? t('import.mapping.none') : t('import.mapping.add')}</option>
            {columns
              .filter((c) => !chosen.includes(c))
              .map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
          </select>
        </div>
        {chosen.length > 1 && (
          <label className="field">
            <span className="help">{t('import.mapping.template')}</span>
            <textarea rows={Math.min(6, chosen.length + 1)} className="mono" value={src?.template ?? ''} onChange={(e) => onChange(setFieldTemplate(mapping, field, e.target.value))} aria-label={t('import.mapping.templateOf', { field: label })} />
          </label>
        )}
      </div>
      <div>
        {level !== 'none' && (
          <span className={`badge ${level}`} title={t('import.mapping.confidenceHelp')}>
            {t(`import.confidence.${level}`)} {Math.round((confidence ?? 0) * 100)}%
          </span>
        )}
      </div>
    </div>
  );
}
