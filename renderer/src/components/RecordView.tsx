// A normalised record laid out for reading: fields as a definition list, conversations as turns.
import type { NormalisedRecord } from '../../../preload/contract/datasets.js';
import { useT } from '../i18n/use-t.js';

export function RecordView({ record }: { record: NormalisedRecord }) {
  const t = useT();
  const kv = (pairs: [string, string | undefined][]) => (
    <dl className="kv">
      {pairs
        .filter(([, v]) => v !== undefined && v !== '')
        .map(([k, v]) => [<dt key={`${k}-k`}>{k}</dt>, <dd key={`${k}-v`}>{v}</dd>])}
    </dl>
  );
  switch (record.kind) {
    case 'single':
      return kv([
        [t('record.system'), record.system],
        [t('record.instruction'), record.instruction],
        [t('record.input'), record.input],
        [t('record.output'), record.output],
      ]);
    case 'text':
      return kv([[t('record.text'), record.text]]);
    case 'preference':
      return kv([
        [t('record.system'), record.system],
        [t('record.prompt'), typeof record.prompt === 'string' ? record.prompt : record.prompt.map((m) => `${t(`record.role.${m.role}`)}: ${m.content}`).join('\n')],
        [t('record.chosen'), record.chosen],
        [t('record.rejected'), record.rejected],
      ]);
    case 'conversation':
      return (
        <div>
          {record.system && (
            <div className="turn">
              <span className="role">{t('record.role.system')}</span>
              {record.system}
            </div>
          )}
          {record.messages.map((m, i) => (
            <div className="turn" key={i}>
              <span className="role">{t(`record.role.${m.role}`)}</span>
              {m.content}
            </div>
          ))}
        </div>
      );
  }
}
