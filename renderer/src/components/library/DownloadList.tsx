// Downloads in flight and recently ended: overall progress (bytes, speed, time left), each file's state, cancel.
import type { DownloadDto } from '../../../../preload/contract/index.js';
import { useMainMessage } from '../../i18n/main-message.js';
import { useT } from '../../i18n/use-t.js';
import { librarySelectors } from '../../store/library/selectors.js';
import { formatBytes, formatDuration } from './format.js';

export interface DownloadListProps {
  readonly downloads: readonly DownloadDto[];
  onCancel(id: string): void;
  onDismiss(id: string): void;
  /** Starts the same download again: it resumes from the bytes already on disk. */
  onResume(d: DownloadDto): void;
}

export function DownloadList({ downloads, onCancel, onDismiss, onResume }: DownloadListProps) {
  const t = useT();
  const tm = useMainMessage();
  if (downloads.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="lib-downloads-heading">
      <h2 id="lib-downloads-heading">{t('library.downloads.heading')}</h2>
      <ul className="lib-downloads">
        {downloads.map((d) => {
          const running = librarySelectors.isRunning(d);
          const pct = d.bytesTotal > 0 ? Math.min(100, Math.round((100 * d.bytesDone) / d.bytesTotal)) : undefined;
          return (
            <li key={d.id} className="lib-download" data-testid="download" data-state={d.state}>
              <div className="row">
                <strong>{d.name}</strong>
                <span className={`badge ${d.state === 'done' ? 'ok' : d.state === 'failed' ? 'error' : ''}`}>{t(`library.download.state.${d.state}`)}</span>
                <span className="spacer" />
                {running ? (
                  <button type="button" className="secondary" onClick={() => onCancel(d.id)}>
                    {t('library.download.cancel')}
                  </button>
                ) : (
                  <>
                    {(d.state === 'failed' || d.state === 'cancelled') && d.kind === 'pull' && (
                      <button type="button" onClick={() => onResume(d)}>
                        {t('library.download.resume')}
                      </button>
                    )}
                    <button type="button" className="secondary" onClick={() => onDismiss(d.id)}>
                      {t('library.download.dismiss')}
                    </button>
                  </>
                )}
              </div>
              <div
                className="lib-bar"
                role="progressbar"
                aria-label={t('library.download.progress', { name: d.name })}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={pct}
              >
                <div className="lib-bar-fill" style={{ width: `${pct ?? 0}%` }} />
              </div>
              <div className="row muted lib-small">
                <span>
                  {t('library.download.detail', {
                    done: formatBytes(d.bytesDone),
                    total: formatBytes(d.bytesTotal),
                    files: t('library.download.files', { done: d.filesDone, count: d.fileCount }),
                  })}
                </span>
                {running && <span>{t('library.download.speed', { speed: formatBytes(d.speedBps) })}</span>}
                {running && d.etaSeconds !== null && <span>{t('library.download.eta', { eta: formatDuration(d.etaSeconds) })}</span>}
              </div>
              {d.error && d.state === 'failed' && (
                <p className="lib-error" role="alert">
                  {tm({ message: d.error.message, code: d.error.messageCode, params: d.error.messageParams })}
                </p>
              )}
              {d.files.length > 0 && (
                <details>
                  <summary>{t('library.download.showFiles')}</summary>
                  <ul className="lib-files">
                    {d.files.map((f) => (
                      <li key={f.path}>
                        <code>{f.path}</code> <span className="muted">{t(`library.file.state.${f.state}`)}</span>{' '}
                        <span className="muted">
                          {formatBytes(f.bytesDone)}
                          {f.bytesTotal !== null ? ` / ${formatBytes(f.bytesTotal)}` : ''}
                        </span>
                        {f.message && <span className="muted"> — {tm({ code: f.messageCode, params: f.messageParams, message: f.message })}</span>}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
