// Wizard step 4: the validation report — counts, problems grouped by kind with their rows (jump to any row of the
// file, or type its number, shows it as read and as mapped), duplicates and garbled text — then the skip-bad
// choice, a name, and Save.
import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Field } from '../../components/Field.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { RecordView } from '../../components/RecordView.js';
import { useMainMessage } from '../../i18n/main-message.js';
import { useFormat } from '../../i18n/use-format.js';
import { useT } from '../../i18n/use-t.js';
import { NumberJumpForm } from '../../components/NumberJumpForm.js';
import { useLathe } from '../../store/bound-store.js';
import { groupProblems, importerSelectors } from '../../store/importer/selectors.js';
import { SampleTable } from './SampleTable.js';

const ROWS_SHOWN_PER_GROUP = 30;

export function ValidateStep({ projectId }: { projectId: number }) {
  const t = useT();
  const tm = useMainMessage();
  const { report, busy, skipBad, file, inspection, sourceRow } = useLathe(
    useShallow((s) => ({ report: s.validation, busy: s.importBusy, skipBad: s.skipBad, file: s.importFile, inspection: s.inspection, sourceRow: s.sourceRow })),
  );
  const canSave = useLathe(importerSelectors.canSave);
  const setSkipBad = useLathe((s) => s.setSkipBad);
  const runValidation = useLathe((s) => s.runValidation);
  const save = useLathe((s) => s.saveImport);
  const goTo = useLathe((s) => s.goToImportStep);
  const setJump = useLathe((s) => s.showSourceRow);
  const [name, setName] = useState('');
  const jump = sourceRow?.row;
  // Grouping builds new objects: done once per report, not in a store selector (which must return stable values).
  const groups = useMemo(() => groupProblems(report?.problems ?? []), [report]);

  useEffect(() => {
    if (!report && !busy) void runValidation();
  }, [report, busy, runValidation]);
  useEffect(() => {
    if (file && !name) setName(file.name.replace(/\.[^.]+$/, ''));
  }, [file, name]);

  if (!report) return <ValidationRunning />;
  const jumpMapped = sourceRow?.record;
  const jumpRaw = jumpMapped?.values ? { row: jumpMapped.row, values: jumpMapped.values } : inspection?.sampleRows.find((r) => r.row === jump);
  return (
    <div className="stack" data-testid="validation-report">
      <div className="panel">
        <div className="stats">
          <Stat name={t('import.validate.rows')} value={report.rows} />
          <Stat name={t('import.validate.valid')} value={report.validRows} />
          <Stat name={t('import.validate.problems')} value={report.problemCount} />
          <Stat name={t('import.validate.blank')} value={report.blankRows} />
          <Stat name={t('import.validate.duplicates')} value={report.exactDuplicates} />
          <Stat name={t('import.validate.nearDuplicates')} value={report.normalisedDuplicates} />
          <Stat name={t('import.validate.mojibake')} value={report.mojibakeRows.length} />
        </div>
      </div>
      <div className="grid-2">
        <div className="panel">
          <h2>{t('import.validate.grouped')}</h2>
          {groups.length === 0 && report.duplicatePairs.length === 0 && report.mojibakeRows.length === 0 && <p className="muted">{t('import.validate.clean')}</p>}
          {groups.map((g) => (
            <div className="problem-group" key={`${g.column}-${g.message}`} data-testid="problem-group">
              <div className="row">
                <strong>{tm(g)}</strong>
                {g.column && <span className="badge">{g.column}</span>}
                <span className="spacer" />
                <span className="badge low">{t('import.validate.rowCount', { count: g.rows.length })}</span>
              </div>
              <RowLinks rows={g.rows} onJump={setJump} />
            </div>
          ))}
          {report.problemCount > report.problems.length && <p className="muted">{t('import.validate.more', { count: report.problemCount - report.problems.length })}</p>}
          {report.duplicatePairs.length > 0 && (
            <div className="problem-group">
              <strong>{t('import.validate.duplicateRows')}</strong>
              <div className="row-links">
                {report.duplicatePairs.slice(0, ROWS_SHOWN_PER_GROUP).map(([row, earlier]) => (
                  <button key={row} type="button" className="secondary" onClick={() => setJump(row)} title={t('import.validate.duplicateOf', { row, earlier })}>
                    {row} = {earlier}
                  </button>
                ))}
              </div>
            </div>
          )}
          {report.mojibakeRows.length > 0 && (
            <div className="problem-group">
              <strong>{t('import.validate.mojibakeRows')}</strong>
              <p className="muted">{t('import.validate.mojibakeHelp')}</p>
              <RowLinks rows={report.mojibakeRows} onJump={setJump} />
            </div>
          )}
        </div>
        <div className="panel">
          <div className="row">
            <h2 style={{ margin: 0 }}>{jump === undefined ? t('import.validate.jumpTitle') : t('import.validate.rowTitle', { row: jump })}</h2>
            <span className="spacer" />
            <NumberJumpForm label={t('import.validate.rowNumber')} button={t('import.validate.showRow')} onJump={(r) => void setJump(r)} />
          </div>
          {jump === undefined ? (
            <p className="muted">{t('import.validate.jumpHelp')}</p>
          ) : (
            <div className="stack" data-testid="jumped-row" aria-busy={sourceRow?.loading}>
              {sourceRow?.loading && <p className="muted">{t('common.loading')}</p>}
              {jumpRaw && inspection && <SampleTable columns={inspection.columns} rows={[jumpRaw]} highlight={jump} />}
              {!sourceRow?.loading && !jumpMapped && <p className="muted">{t('import.validate.noSuchRow', { row: jump })}</p>}
              {jumpMapped?.record && <RecordView record={jumpMapped.record} />}
              {jumpMapped?.problems.map((p, i) => (
                <p key={i} className="badge low" style={{ whiteSpace: 'normal' }}>
                  {p.column ? `${p.column}: ` : ''}
                  {tm(p)}
                </p>
              ))}
            </div>
          )}
          {report.columns.length > 0 && (
            <>
              <h3 style={{ marginTop: 16 }}>{t('import.validate.columns')}</h3>
              <table className="simple">
                <thead>
                  <tr>
                    <th>{t('import.validate.column')}</th>
                    <th className="num">{t('import.validate.empty')}</th>
                    <th className="num">{t('import.validate.meanLength')}</th>
                    <th className="num">{t('import.validate.maxLength')}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.columns.map((c) => (
                    <tr key={c.column}>
                      <td>{c.column}</td>
                      <td className="num">{c.empty}</td>
                      <td className="num">{Math.round(c.meanLength)}</td>
                      <td className="num">{c.maxLength}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </div>
      </div>
      <div className="panel">
        <div className="form-grid">
          <Field label={t('import.save.name')} help={t('import.save.nameHelp')}>
            <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
          </Field>
          <div className="field">
            <span className="label">{t('import.save.badRows')}</span>
            <label className="check">
              <input type="checkbox" checked={skipBad} onChange={(e) => setSkipBad(e.target.checked)} />
              {t('import.save.skipBad', { count: report.rows - report.validRows - report.blankRows })}
            </label>
            <span className="help">{skipBad ? t('import.save.skipBadOn') : t('import.save.skipBadOff')}</span>
          </div>
        </div>
        <div className="row end" style={{ marginTop: 12 }}>
          <button type="button" className="secondary" onClick={() => goTo('mapping')}>
            {t('common.back')}
          </button>
          <button type="button" disabled={!canSave || busy === 'save'} onClick={() => void save(projectId, name)}>
            {t('import.save.submit', { count: skipBad ? report.validRows : report.rows })}
          </button>
        </div>
      </div>
    </div>
  );
}

function ValidationRunning() {
  const t = useT();
  const f = useFormat();
  const job = useLathe((s) => s.importJob);
  const busy = useLathe((s) => s.importBusy === 'validate');
  const cancel = useLathe((s) => s.cancelImport);
  return (
    <div className="panel" aria-busy="true" data-testid="validation-running">
      <h2>{t('import.validate.running')}</h2>
      <ProgressBar
        label={t('import.validate.running')}
        done={job?.bytesRead ?? 0}
        total={job && job.bytesRead > 0 ? job.totalBytes : undefined}
        detail={t('import.save.rowsRead', { rows: f.num(job?.rows ?? 0) })}
        elapsedS={job ? (Date.now() - job.startedAt) / 1000 : undefined}
        etaLabel={(eta) => t('common.eta', { eta })}
      />
      {busy && (
        <div className="row end">
          <button type="button" className="secondary" onClick={() => void cancel()}>
            {t('common.cancel')}
          </button>
        </div>
      )}
    </div>
  );
}

function RowLinks({ rows, onJump }: { rows: readonly number[]; onJump: (row: number) => void }) {
  const t = useT();
  return (
    <div className="row-links">
      {rows.slice(0, ROWS_SHOWN_PER_GROUP).map((r) => (
        <button key={r} type="button" className="secondary" onClick={() => onJump(r)} aria-label={t('import.validate.jumpTo', { row: r })}>
          {r}
        </button>
      ))}
      {rows.length > ROWS_SHOWN_PER_GROUP && <span className="muted">+{rows.length - ROWS_SHOWN_PER_GROUP}</span>}
    </div>
  );
}

function Stat({ name, value }: { name: string; value: number }) {
  const f = useFormat();
  return (
    <div className="stat">
      <span className="value">{f.num(value)}</span>
      <span className="name">{name}</span>
    </div>
  );
}
