// A progress bar with what is done, the elapsed time and an ETA; indeterminate when the total is unknown.
// Reserves its height even when idle so the page does not jump.
import { useFormat } from '../i18n/use-format.js';
import { etaSeconds, formatDuration } from './eta.js';

export interface ProgressBarProps {
  readonly label: string;
  readonly done: number;
  readonly total: number | undefined;
  readonly elapsedS?: number;
  /** Overrides the default "done / total" text. */
  readonly detail?: string;
  readonly etaLabel?: (eta: string) => string;
  readonly testId?: string;
}

export function ProgressBar({ label, done, total, elapsedS, detail, etaLabel, testId }: ProgressBarProps) {
  const f = useFormat();
  const fraction = total && total > 0 ? Math.min(1, Math.max(0, done / total)) : undefined;
  const eta = elapsedS !== undefined && total ? etaSeconds(elapsedS, done, total) : undefined;
  return (
    <div className="progress" data-testid={testId}>
      <div
        className={`progress-track${fraction === undefined ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={fraction === undefined ? undefined : Math.round(fraction * 100)}
      >
        <div className="progress-fill" style={{ width: fraction === undefined ? '30%' : `${fraction * 100}%` }} />
      </div>
      <div className="progress-text muted">
        <span>{detail ?? (total ? `${f.num(done)} / ${f.num(total)}` : f.num(done))}</span>
        <span>
          {elapsedS !== undefined && formatDuration(elapsedS)}
          {eta !== undefined && etaLabel ? ` · ${etaLabel(formatDuration(eta))}` : ''}
        </span>
      </div>
    </div>
  );
}
