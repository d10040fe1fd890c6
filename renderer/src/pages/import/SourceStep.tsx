// Wizard step 2: what the file is (type, size, encoding and why, sheet, header row) and its first rows as parsed;
// changing encoding, sheet or header row re-reads the file and the table updates.
import { useShallow } from 'zustand/react/shallow';
import { Field } from '../../components/Field.js';
import { FileDropZone } from '../../components/FileDropZone.js';
import { formatBytes } from '../../components/eta.js';
import { useT } from '../../i18n/use-t.js';
import { useLathe } from '../../store/bound-store.js';
import { SampleTable } from './SampleTable.js';

/** The encodings main's text reader accepts (WHATWG labels). */
const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'gb18030', 'gbk', 'big5', 'shift_jis', 'windows-1252'];
const REASONS = ['user', 'bom', 'heuristic', 'utf8', 'fallback'] as const;

export function SourceStep() {
  const t = useT();
  const { inspection, file, busy, options } = useLathe(useShallow((s) => ({ inspection: s.inspection, file: s.importFile, busy: s.importBusy, options: s.readerOptions })));
  const setOptions = useLathe((s) => s.setReaderOptions);
  const goTo = useLathe((s) => s.goToImportStep);
  const importFromFile = useLathe((s) => s.importFromFile);
  if (busy && (!inspection || !file)) return <p className="muted">{t('common.loading')}</p>;
  // No file read (none chosen yet, or the last one could not be read): pick another one right here.
  if (!inspection || !file)
    return <FileDropZone title={t('import.noFile')} hint={t('import.drop.hint')} chooseLabel={t('import.drop.choose')} accept=".csv,.tsv,.txt,.xlsx,.xls,.json,.jsonl,.parquet" onFile={(f) => void importFromFile(f)} />;
  const encodings = inspection.encoding && !ENCODINGS.includes(inspection.encoding.toLowerCase()) ? [inspection.encoding, ...ENCODINGS] : ENCODINGS;
  return (
    <div className="stack">
      <div className="panel">
        <div className="stats" data-testid="source-facts">
          <Stat name={t('import.source.file')} value={file.name} />
          <Stat name={t('import.source.format')} value={inspection.format.toUpperCase()} />
          <Stat name={t('import.source.size')} value={formatBytes(inspection.size)} />
          <Stat name={t('import.source.columns')} value={String(inspection.columns.length)} />
          <Stat name={t('import.source.detected')} value={t(`import.detected.${inspection.suggestion.detectedFormat}`)} />
        </div>
        <div className="form-grid" style={{ marginTop: 16 }}>
          {inspection.encoding !== undefined && (
            <Field label={t('import.source.encoding')} help={`${REASONS.includes(inspection.encodingReason as (typeof REASONS)[number]) ? `${t(`import.encodingReason.${inspection.encodingReason as (typeof REASONS)[number]}`)} ` : ''}${t('import.source.encodingHelp')}`}>
              <select value={(options.encoding ?? inspection.encoding).toLowerCase()} onChange={(e) => void setOptions({ encoding: e.target.value })} disabled={busy === 'inspect'}>
                {encodings.map((e) => (
                  <option key={e} value={e.toLowerCase()}>
                    {e}
                  </option>
                ))}
              </select>
            </Field>
          )}
          {inspection.sheets && inspection.sheets.length > 0 && (
            <Field label={t('import.source.sheet')} help={t('import.source.sheetHelp')}>
              <select value={options.sheet ?? inspection.sheet ?? ''} onChange={(e) => void setOptions({ sheet: e.target.value })} disabled={busy === 'inspect'}>
                {inspection.sheets.map((s) => (
                  <option key={s.name} value={s.name}>
                    {t('import.source.sheetOption', { name: s.name, rows: s.rows })}
                    {s.looksLikeTable ? '' : ` — ${t('import.source.notTable')}`}
                  </option>
                ))}
              </select>
            </Field>
          )}
          {inspection.headerRow !== undefined && (
            <Field label={t('import.source.headerRow')} help={t('import.source.headerRowHelp')}>
              <input
                type="number"
                min={1}
                max={1000}
                value={options.headerRow ?? inspection.headerRow}
                onChange={(e) => {
                  const n = Number(e.target.value);
                  if (Number.isInteger(n) && n >= 1) void setOptions({ headerRow: n });
                }}
                disabled={busy === 'inspect'}
              />
            </Field>
          )}
          {inspection.delimiter !== undefined && (
            <Field label={t('import.source.delimiter')}>
              <input readOnly value={inspection.delimiter === '\t' ? 'Tab' : inspection.delimiter} />
            </Field>
          )}
        </div>
      </div>
      <div className="panel">
        <h2>{t('import.source.rows')}</h2>
        <SampleTable columns={inspection.columns} rows={inspection.sampleRows} busy={busy === 'inspect'} />
      </div>
      <div className="row end">
        <button type="button" onClick={() => goTo('mapping')} disabled={busy === 'inspect'}>
          {t('import.next.mapping')}
        </button>
      </div>
    </div>
  );
}

function Stat({ name, value }: { name: string; value: string }) {
  return (
    <div className="stat">
      <span className="value">{value}</span>
      <span className="name">{name}</span>
    </div>
  );
}
