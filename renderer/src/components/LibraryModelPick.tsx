// A shortcut beside a model-folder field: the models of the local library (Models page) as a list, so a
// downloaded model is one pick away instead of a typed path. Reads the library slice; does not change it.
import { useEffect } from 'react';
import { useT } from '../i18n/use-t.js';
import { useLathe } from '../store/bound-store.js';

export function LibraryModelPick({ value, onPick, wrapperClassName }: { value: string; onPick: (path: string) => void; wrapperClassName?: string }) {
  const t = useT();
  const models = useLathe((s) => s.libraryModels);
  const status = useLathe((s) => s.libraryStatus);
  const loadLibrary = useLathe((s) => s.loadLibrary);
  useEffect(() => {
    if (status === 'idle') void loadLibrary();
  }, [status, loadLibrary]);
  const ready = models.filter((m) => m.status === 'ready');
  if (ready.length === 0) return null;
  const select = (
    <select aria-label={t('common.fromLibrary')} value={ready.some((m) => m.path === value) ? value : ''} onChange={(e) => e.target.value && onPick(e.target.value)} data-testid="library-pick">
      <option value="">{t('common.fromLibrary')}</option>
      {ready.map((m) => (
        <option key={m.id} value={m.path}>
          {m.name}
        </option>
      ))}
    </select>
  );
  return wrapperClassName ? <div className={wrapperClassName}>{select}</div> : select;
}
