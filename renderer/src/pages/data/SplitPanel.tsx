// The dataset's train/validation split: the share held out and the seed that picks it (same seed, same split).
import { useState } from 'react';
import type { DatasetDto } from '../../../../preload/contract/datasets.js';
import { Field } from '../../components/Field.js';
import { useFormat } from '../../i18n/use-format.js';
import { useT } from '../../i18n/use-t.js';
import { useLathe } from '../../store/bound-store.js';

export function SplitPanel({ dataset, onChanged }: { dataset: DatasetDto; onChanged: () => void }) {
  const t = useT();
  const f = useFormat();
  const setSplit = useLathe((s) => s.setSplit);
  const [percent, setPercent] = useState(String(Math.round(dataset.valRatio * 1000) / 10));
  const [seed, setSeed] = useState(String(dataset.splitSeed));
  const [busy, setBusy] = useState(false);
  const p = Number(percent);
  const s = Number(seed);
  const valid = Number.isFinite(p) && p >= 0 && p <= 90 && Number.isInteger(s) && s >= 0;
  const validationRows = Math.round((dataset.rowCount * (valid ? p : 0)) / 100);
  return (
    <form
      className="panel"
      onSubmit={(e) => {
        e.preventDefault();
        if (!valid) return;
        setBusy(true);
        void setSplit(dataset.id, s, p / 100).then((ok) => {
          setBusy(false);
          if (ok) onChanged();
        });
      }}
    >
      <h2>{t('data.split.title')}</h2>
      <div className="form-grid">
        <Field label={t('data.split.share')} help={t('data.split.shareHelp', { rows: f.num(validationRows) })}>
          <input type="number" min={0} max={90} step={0.5} value={percent} onChange={(e) => setPercent(e.target.value)} />
        </Field>
        <Field label={t('data.split.seed')} help={t('data.split.seedHelp')}>
          <input type="number" min={0} step={1} value={seed} onChange={(e) => setSeed(e.target.value)} />
        </Field>
      </div>
      <div className="row end" style={{ marginTop: 12 }}>
        <button type="submit" disabled={!valid || busy}>
          {t('data.split.apply')}
        </button>
      </div>
    </form>
  );
}
