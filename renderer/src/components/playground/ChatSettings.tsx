// The playground's shared settings: system prompt, template (with the rendered prompt it gives), and sampling —
// temperature, top-p, top-k, max new tokens, seed, repetition penalty — as transformers names them.
import type { SamplingOptions } from '../../../../preload/contract/playground.js';
import { useT } from '../../i18n/use-t.js';
import { useLathe } from '../../store/bound-store.js';
import { playgroundSelectors } from '../../store/playground/selectors.js';
import { Field } from '../Field.js';

type NumKey = 'temperature' | 'topP' | 'topK' | 'maxNewTokens' | 'seed' | 'repetitionPenalty';

const NUMBERS: readonly { key: NumKey; label: Parameters<ReturnType<typeof useT>>[0]; min: number; max: number; step: number; sampling: boolean }[] = [
  { key: 'temperature', label: 'playground.temperature', min: 0, max: 2, step: 0.05, sampling: true },
  { key: 'topP', label: 'playground.topP', min: 0.01, max: 1, step: 0.01, sampling: true },
  { key: 'topK', label: 'playground.topK', min: 0, max: 1000, step: 1, sampling: true },
  { key: 'maxNewTokens', label: 'playground.maxNewTokens', min: 1, max: 4096, step: 1, sampling: false },
  { key: 'seed', label: 'playground.seed', min: 0, max: 2 ** 31 - 1, step: 1, sampling: true },
  { key: 'repetitionPenalty', label: 'playground.repetitionPenalty', min: 1, max: 3, step: 0.05, sampling: false },
];

export function ChatSettings({ question }: { question: string }) {
  const t = useT();
  const sampling = useLathe(playgroundSelectors.sampling);
  const system = useLathe(playgroundSelectors.system);
  const template = useLathe(playgroundSelectors.template);
  const rendered = useLathe(playgroundSelectors.rendered);
  const setSampling = useLathe((s) => s.setSampling);
  const setSystem = useLathe((s) => s.setPlaygroundSystem);
  const setTemplate = useLathe((s) => s.setPlaygroundTemplate);
  const render = useLathe((s) => s.renderPrompt);
  const setNumber = (key: NumKey, raw: string, min: number, max: number) => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) return;
    const clamped = Math.min(max, Math.max(min, key === 'topK' || key === 'maxNewTokens' || key === 'seed' ? Math.round(v) : v));
    setSampling({ [key]: clamped } as Partial<SamplingOptions>);
  };
  return (
    <details className="panel" open>
      <summary>{t('playground.settings')}</summary>
      <div className="form-grid" style={{ marginTop: 12 }}>
        <Field label={t('playground.system')} help={t('playground.system.help')}>
          <textarea rows={2} value={system} onChange={(e) => setSystem(e.target.value)} data-testid="system-prompt" />
        </Field>
        <Field label={t('playground.template')} help={t('playground.template.help')}>
          <input value={template} onChange={(e) => setTemplate(e.target.value)} placeholder="chatml, llama3, qwen…" data-testid="template" />
        </Field>
        <label className="check">
          <input type="checkbox" checked={sampling.doSample} onChange={(e) => setSampling({ doSample: e.target.checked })} data-testid="do-sample" />
          {t('playground.sample')}
        </label>
        {NUMBERS.map((n) => (
          <Field key={n.key} label={t(n.label)}>
            <input
              type="number"
              min={n.min}
              max={n.max}
              step={n.step}
              value={sampling[n.key]}
              disabled={n.sampling && !sampling.doSample}
              onChange={(e) => setNumber(n.key, e.target.value, n.min, n.max)}
              data-testid={`sampling-${n.key}`}
            />
          </Field>
        ))}
      </div>
      <div className="row" style={{ marginTop: 12 }}>
        <button type="button" className="secondary" onClick={() => void render(question)} data-testid="show-prompt">
          {t('playground.template.show')}
        </button>
        {rendered && <span className="card-meta">{t('playground.template.shown', { name: rendered.template, tokens: rendered.promptTokens, stops: rendered.stopWords.join(' ') || '—' })}</span>}
      </div>
      {rendered && (
        <pre className="mono" data-testid="rendered-prompt" style={{ marginTop: 8 }}>
          {rendered.text}
        </pre>
      )}
    </details>
  );
}
