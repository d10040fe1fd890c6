// Exporting a dataset as LLaMA-Factory files (alpaca or sharegpt JSON plus a dataset_info.json entry) to a path on
// the machine running Lathe.
import { useState } from 'react';
import type { DatasetDto, ExportResult } from '../../../../preload/contract/datasets.js';
import { Field } from '../../components/Field.js';
import { PathInput } from '../../components/PathInput.js';
import { useFormat } from '../../i18n/use-format.js';
import { useT } from '../../i18n/use-t.js';
import { useLathe } from '../../store/bound-store.js';

const FORMATS = ['alpaca', 'sharegpt'] as const;

export function ExportPanel({ dataset }: { dataset: DatasetDto }) {
  const t = useT();
  const f = useFormat();
  const home = useLathe((s) => s.info?.home);
  const exportDataset = useLathe((s) => s.exportDataset);
  const [format, setFormat] = useState<(typeof FORMATS)[number]>(dataset.shape === 'conversation' ? 'sharegpt' : 'alpaca');
  const safe = dataset.name.replace(/[^\p{L}\p{N}_.-]+/gu, '-');
  const sep = home?.includes('\\') ? '\\' : '/';
  const [out, setOut] = useState(home ? `${home}${sep}exports${sep}${safe}.json` : '');
  const [includeExcluded, setIncludeExcluded] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ExportResult | undefined>();
  return (
    <form
      className="panel"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setResult(undefined);
        void exportDataset(dataset.id, format, out.trim(), includeExcluded).then((r) => {
          setBusy(false);
          setResult(r);
        });
      }}
    >
      <h2>{t('data.export.title')}</h2>
      <div className="form-grid">
        <Field label={t('data.export.format')} help={t('data.export.formatHelp')}>
          <select value={format} onChange={(e) => setFormat(e.target.value as (typeof FORMATS)[number])}>
            {FORMATS.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </Field>
        <div className="field">
          <span className="label">{t('data.export.excluded')}</span>
          <label className="check">
            <input type="checkbox" checked={includeExcluded} onChange={(e) => setIncludeExcluded(e.target.checked)} />
            {t('data.export.includeExcluded')}
          </label>
        </div>
      </div>
      <div style={{ marginTop: 12 }}>
        <Field label={t('data.export.out')} help={t('data.export.outHelp')}>
          <PathInput kind="folder" value={out} onChange={setOut} browseLabel={t('common.browse')} />
        </Field>
      </div>
      <div className="row end" style={{ marginTop: 12 }}>
        <button type="submit" disabled={busy || !out.trim()}>
          {busy ? t('common.working') : t('data.export.submit')}
        </button>
      </div>
      {result && (
        <p className="banner banner-info" role="status">
          {t('data.export.done', { rows: f.num(result.rows), file: result.file, info: result.datasetInfoFile })}
        </p>
      )}
    </form>
  );
}
