// The local library: every model folder with its card figures, disk size, source and revision, status, the
// problems a check found, and check / repair / remove. Rows are keyboard reachable through their buttons.
import type { LibraryModelDto } from '../../../../preload/contract/index.js';
import { useMainMessage } from '../../i18n/main-message.js';
import { useT } from '../../i18n/use-t.js';
import { formatBytes, formatParams } from './format.js';
import { ModelCardDetails } from './ModelCardDetails.js';

export interface LibraryTableProps {
  readonly models: readonly LibraryModelDto[];
  readonly busy: readonly number[];
  onCheck(id: number, full: boolean): void;
  onRepair(id: number): void;
  onRemove(m: LibraryModelDto): void;
}

function fitMark(fits: boolean | null): string {
  return fits === null ? '' : fits ? ' ✓' : ' ✗';
}

export function LibraryTable({ models, busy, onCheck, onRepair, onRemove }: LibraryTableProps) {
  const t = useT();
  const tm = useMainMessage();
  return (
    <table className="lib-table" aria-labelledby="lib-table-heading" data-testid="library-table">
      <thead>
        <tr>
          <th scope="col">{t('library.table.name')}</th>
          <th scope="col">{t('library.table.source')}</th>
          <th scope="col">{t('library.table.status')}</th>
          <th scope="col">{t('library.table.size')}</th>
          <th scope="col">{t('library.table.params')}</th>
          <th scope="col">{t('library.table.vram')}</th>
          <th scope="col">{t('library.table.actions')}</th>
        </tr>
      </thead>
      <tbody>
        {models.map((m) => {
          const isBusy = busy.includes(m.id) || m.status === 'downloading';
          return (
            <tr key={m.id} data-testid="library-row">
              <th scope="row">
                <div>{m.name}</div>
                <div className="muted lib-small lib-path" title={m.path}>
                  {m.path}
                </div>
                {m.card && (
                  <div className="muted lib-small">
                    {m.card.architecture} · {t(m.card.kind === 'base' ? 'preview.card.base' : 'preview.card.instruct')} · {m.card.dtype} · {m.card.proposedTemplate}
                  </div>
                )}
                {!m.card && m.cardError && <div className="muted lib-small">{t('library.noCard', { reason: m.cardError })}</div>}
                {m.card && m.status !== 'missing' && <ModelCardDetails id={m.id} />}
                {m.problems.length > 0 && (
                  <ul className="lib-problems">
                    {m.problems.map((p) => (
                      <li key={p.path}>
                        <code>{p.path}</code>: {tm({ code: p.code, params: p.params, message: p.detail })}
                      </li>
                    ))}
                  </ul>
                )}
              </th>
              <td>
                {m.builtIn ? (
                  <span className="badge" data-testid="library-builtin">
                    {t('library.source.builtIn')}
                  </span>
                ) : (
                  t(`library.source.${m.source}`)
                )}
                {m.revision && <div className="muted lib-small">{m.commit ? `${m.revision} (${m.commit.slice(0, 8)})` : m.revision}</div>}
              </td>
              <td>
                <span className={`badge ${m.status === 'ready' ? 'ok' : m.status === 'downloading' ? '' : 'error'}`} data-testid="library-status">
                  {t(`library.status.${m.status}`)}
                </span>
              </td>
              <td>
                {formatBytes(m.diskBytes)}
                {m.expectedBytes !== null && m.expectedBytes > m.diskBytes && <div className="muted lib-small">/ {formatBytes(m.expectedBytes)}</div>}
              </td>
              <td>{m.card ? formatParams(m.card.parameters) : '–'}</td>
              <td>
                {m.card ? (
                  <>
                    {formatBytes(m.card.vramLoraBytes)}
                    {fitMark(m.fits.lora)} / {formatBytes(m.card.vramQloraBytes)}
                    {fitMark(m.fits.qlora)}
                  </>
                ) : (
                  '–'
                )}
              </td>
              <td>
                <div className="lib-actions" role="group" aria-label={t('library.actionsFor', { name: m.name })}>
                  <button type="button" className="secondary" disabled={isBusy} onClick={() => onCheck(m.id, false)}>
                    {t('library.check')}
                  </button>
                  <button type="button" className="secondary" disabled={isBusy} onClick={() => onCheck(m.id, true)}>
                    {t('library.checkFull')}
                  </button>
                  {m.source !== 'local' && m.status !== 'ready' && (
                    <button type="button" disabled={isBusy} onClick={() => onRepair(m.id)}>
                      {t('library.repair')}
                    </button>
                  )}
                  {!m.builtIn && (
                    <button type="button" className="danger" disabled={busy.includes(m.id)} onClick={() => onRemove(m)}>
                      {t('library.remove')}
                    </button>
                  )}
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
