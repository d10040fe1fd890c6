// A dismissible error message: what went wrong, in words, never a stack trace.
import { useT } from '../i18n/use-t.js';

export function ErrorBanner({ message, onDismiss }: { message: string; onDismiss?: () => void }) {
  const t = useT();
  return (
    <div className="banner banner-error" role="alert">
      <span>{message}</span>
      {onDismiss && (
        <button type="button" className="link" onClick={onDismiss}>
          {t('common.dismiss')}
        </button>
      )}
    </div>
  );
}
