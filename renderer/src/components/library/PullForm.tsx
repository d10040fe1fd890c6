// The download form: a model name, its hub, an optional endpoint (mirror) and revision. Controlled by the page so
// the curated list's "Use" button can fill it.
import type { HubSource } from '../../../../preload/contract/index.js';
import { useT } from '../../i18n/use-t.js';

export interface PullDraft {
  name: string;
  source: HubSource;
  endpoint: string;
  revision: string;
}

const DEFAULT_ENDPOINT: Record<HubSource, string> = { hf: 'https://huggingface.co', modelscope: 'https://www.modelscope.cn' };
const DEFAULT_REVISION: Record<HubSource, string> = { hf: 'main', modelscope: 'master' };

export function PullForm({ draft, onChange, onSubmit }: { draft: PullDraft; onChange: (d: PullDraft) => void; onSubmit: () => void }) {
  const t = useT();
  const set = (patch: Partial<PullDraft>) => onChange({ ...draft, ...patch });
  return (
    <form
      className="panel lib-pull"
      aria-labelledby="lib-pull-heading"
      onSubmit={(e) => {
        e.preventDefault();
        if (draft.name.trim()) onSubmit();
      }}
    >
      <h2 id="lib-pull-heading">{t('library.pull.heading')}</h2>
      <div className="lib-form-grid">
        <label className="lib-field lib-field-wide">
          <span className="lib-label">{t('library.pull.name')}</span>
          <input value={draft.name} onChange={(e) => set({ name: e.target.value })} placeholder={t('library.pull.name.placeholder')} spellCheck={false} autoComplete="off" maxLength={200} />
        </label>
        <label className="lib-field">
          <span className="lib-label">{t('library.pull.source')}</span>
          <select value={draft.source} onChange={(e) => set({ source: e.target.value as HubSource })}>
            <option value="hf">{t('library.source.hf')}</option>
            <option value="modelscope">{t('library.source.modelscope')}</option>
          </select>
        </label>
        <label className="lib-field lib-field-wide">
          <span className="lib-label">{t('library.pull.endpoint')}</span>
          <input value={draft.endpoint} onChange={(e) => set({ endpoint: e.target.value })} placeholder={DEFAULT_ENDPOINT[draft.source]} spellCheck={false} autoComplete="off" aria-describedby="lib-endpoint-help" />
          <span className="lib-help" id="lib-endpoint-help">
            {t('library.pull.endpoint.help', { default: DEFAULT_ENDPOINT[draft.source] })}
          </span>
        </label>
        <label className="lib-field">
          <span className="lib-label">{t('library.pull.revision')}</span>
          <input value={draft.revision} onChange={(e) => set({ revision: e.target.value })} placeholder={DEFAULT_REVISION[draft.source]} spellCheck={false} autoComplete="off" aria-describedby="lib-revision-help" />
          <span className="lib-help" id="lib-revision-help">
            {t('library.pull.revision.help', { default: DEFAULT_REVISION[draft.source] })}
          </span>
        </label>
      </div>
      <div className="row end">
        <button type="submit" disabled={!draft.name.trim()}>
          {t('library.pull.submit')}
        </button>
      </div>
    </form>
  );
}
