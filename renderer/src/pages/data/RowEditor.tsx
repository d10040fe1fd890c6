// The selected row: its record as it will be trained, edit it (fields for question/answer records, JSON for the
// rest), go back to the original, or exclude it from training.
import { useState } from 'react';
import type { DatasetRowDto, NormalisedRecord } from '../../../../preload/contract/datasets.js';
import { RecordView } from '../../components/RecordView.js';
import { useT } from '../../i18n/use-t.js';
import { useLathe } from '../../store/bound-store.js';

export function RowEditor({ datasetId, row, onChanged, onExclude }: { datasetId: number; row: DatasetRowDto; onChanged: (r: DatasetRowDto) => void; onExclude: (excluded: boolean) => Promise<void> }) {
  const t = useT();
  const editRow = useLathe((s) => s.editRow);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<NormalisedRecord>(row.record);
  const [json, setJson] = useState(() => JSON.stringify(row.record, null, 2));
  const [jsonError, setJsonError] = useState<string | undefined>();

  const save = async (record: NormalisedRecord | null) => {
    const r = await editRow(datasetId, row.idx, record);
    if (r) {
      onChanged(r);
      setEditing(false);
    }
  };

  return (
    <div className="panel" data-testid="row-editor">
      <div className="row">
        <h2 style={{ margin: 0 }}>{t('data.row.title', { idx: row.idx + 1, source: row.sourceRow })}</h2>
        {row.edited && <span className="badge medium">{t('data.state.edited')}</span>}
        {row.excluded && <span className="badge low">{t('data.state.excluded')}</span>}
        <span className="spacer" />
        {!editing && (
          <button type="button" className="secondary" onClick={() => setEditing(true)}>
            {t('data.row.edit')}
          </button>
        )}
        {row.edited && !editing && (
          <button type="button" className="secondary" onClick={() => void save(null)}>
            {t('data.row.revert')}
          </button>
        )}
        <button type="button" className={row.excluded ? 'secondary' : 'danger'} onClick={() => void onExclude(!row.excluded)}>
          {row.excluded ? t('data.row.include') : t('data.row.exclude')}
        </button>
      </div>
      <div style={{ marginTop: 12 }}>
        {!editing ? (
          <RecordView record={row.record} />
        ) : draft.kind === 'single' ? (
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void save(draft);
            }}
          >
            {(['system', 'instruction', 'input', 'output'] as const).map((f) => (
              <label className="field" key={f}>
                <span className="label">{t(`record.${f}`)}</span>
                <textarea rows={f === 'output' ? 5 : 2} value={draft[f] ?? ''} onChange={(e) => setDraft({ ...draft, [f]: e.target.value })} />
              </label>
            ))}
            <EditButtons onCancel={() => setEditing(false)} />
          </form>
        ) : (
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              try {
                setJsonError(undefined);
                void save(JSON.parse(json) as NormalisedRecord);
              } catch {
                setJsonError(t('data.row.badJson'));
              }
            }}
          >
            <label className="field">
              <span className="label">{t('data.row.json')}</span>
              <textarea className="mono" rows={12} value={json} onChange={(e) => setJson(e.target.value)} />
            </label>
            {jsonError && <p className="badge low">{jsonError}</p>}
            <EditButtons onCancel={() => setEditing(false)} />
          </form>
        )}
      </div>
    </div>
  );
}

function EditButtons({ onCancel }: { onCancel: () => void }) {
  const t = useT();
  return (
    <div className="row end">
      <button type="button" className="secondary" onClick={onCancel}>
        {t('common.cancel')}
      </button>
      <button type="submit">{t('common.save')}</button>
    </div>
  );
}
