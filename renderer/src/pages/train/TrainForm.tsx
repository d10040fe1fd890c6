// The new-run form: sensible defaults from main (for the model and this machine's GPU), one line of explanation per
// field, the memory estimate against the GPU, "show CLI command", and Start.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Notice } from '../../../../preload/contract/message-code.js';
import type { RunConfig } from '../../../../preload/contract/runs.js';
import { Field } from '../../components/Field.js';
import { PathInput } from '../../components/PathInput.js';
import { LibraryModelPick } from '../../components/LibraryModelPick.js';
import { formatBytes } from '../../components/eta.js';
import type { MessageKey } from '../../i18n/en.js';
import { useMainMessage } from '../../i18n/main-message.js';
import { useT } from '../../i18n/use-t.js';
import { useLathe } from '../../store/bound-store.js';
import { datasetsSelectors } from '../../store/datasets/selectors.js';
import { configFromForm, formFromConfig, type RunFormValues } from './run-form.js';

type NumField = 'loraRank' | 'loraAlpha' | 'learningRate' | 'numTrainEpochs' | 'perDeviceTrainBatchSize' | 'gradientAccumulationSteps' | 'cutoffLen' | 'evalSteps' | 'saveSteps' | 'maxSteps' | 'maxVramGb';
const NUM_FIELDS: readonly NumField[] = ['loraRank', 'loraAlpha', 'learningRate', 'numTrainEpochs', 'perDeviceTrainBatchSize', 'gradientAccumulationSteps', 'cutoffLen', 'evalSteps', 'saveSteps', 'maxSteps', 'maxVramGb'];
const PLACEHOLDER: Partial<Record<NumField, MessageKey>> = { maxSteps: 'train.field.maxSteps.none', maxVramGb: 'train.field.maxVramGb.none' };
/** Fields whose change alters the memory estimate: defaults are asked again when they settle. */
const ESTIMATE_FIELDS = ['model', 'method', 'loraRank', 'perDeviceTrainBatchSize', 'cutoffLen', 'gradientCheckpointing', 'maxVramGb'] as const;

export function TrainForm({ projectId, disabled }: { projectId: number; disabled: boolean }) {
  const t = useT();
  const tm = useMainMessage();
  const datasets = useLathe(datasetsSelectors.list);
  const defaults = useLathe((s) => s.runDefaults);
  const busy = useLathe((s) => s.defaultsBusy);
  const cli = useLathe((s) => s.cliCommand);
  const templates = useLathe((s) => s.templates);
  const previewModel = useLathe((s) => s.modelPath);
  const loadDefaults = useLathe((s) => s.loadRunDefaults);
  const showCli = useLathe((s) => s.showCliCommand);
  const hideCli = useLathe((s) => s.hideCliCommand);
  const createRun = useLathe((s) => s.createRun);
  const [values, setValues] = useState<RunFormValues | undefined>();
  const [starting, setStarting] = useState(false);
  const base = useRef<RunConfig | undefined>(undefined);
  const configFromYaml = useLathe((s) => s.configFromYaml);
  /** A LLaMA-Factory YAML read into the form: its settings stand in for the defaults (fields the form lacks too). */
  const [imported, setImported] = useState<{ config: RunConfig; warnings: readonly Notice[] } | undefined>();
  const yamlInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!defaults) void loadDefaults(previewModel || undefined);
  }, [defaults, loadDefaults, previewModel]);
  // Defaults for another model (or the first) reset the form, keeping the dataset and name; refreshed estimates for
  // the same model keep what was typed.
  const formModel = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!defaults) return;
    base.current = defaults.config;
    if (formModel.current === defaults.config.model) return;
    formModel.current = defaults.config.model;
    if (imported && imported.config.model === defaults.config.model) return;
    setImported(undefined);
    setValues((v) => ({ ...formFromConfig(defaults.config, v?.datasetId || String(datasets[0]?.id ?? '')), name: v?.name ?? '' }));
  }, [defaults, datasets]);
  useEffect(() => {
    if (values && !values.datasetId && datasets[0]) setValues({ ...values, datasetId: String(datasets[0].id) });
  }, [datasets, values]);

  const parsed = useMemo(() => {
    const b = imported?.config ?? base.current;
    return values && b ? configFromForm(values, b) : undefined;
  }, [values, imported]);
  const estimateKey = values ? ESTIMATE_FIELDS.map((k) => values[k]).join('|') : '';
  useEffect(() => {
    if (!parsed || !defaults || Object.keys(parsed.errors).some((k) => (ESTIMATE_FIELDS as readonly string[]).includes(k))) return;
    const c = parsed.config;
    const d = defaults.config;
    if (c.model === d.model && c.loraRank === d.loraRank && c.perDeviceTrainBatchSize === d.perDeviceTrainBatchSize && c.cutoffLen === d.cutoffLen && c.quantizationBit === d.quantizationBit && c.gradientCheckpointing === d.gradientCheckpointing && c.maxVramGb === d.maxVramGb) return;
    const timer = setTimeout(() => {
      // Another model: its own defaults (template, cutoff) from scratch; the same model: the edited values re-estimated.
      if (c.model !== defaults.config.model) return void loadDefaults(c.model);
      const { datasets: _d, ...partial } = c;
      void loadDefaults(c.model, { ...partial, quantizationBit: c.quantizationBit, gradientCheckpointing: c.gradientCheckpointing, maxVramGb: c.maxVramGb });
    }, 500);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [estimateKey]);

  if (!values || !defaults) return <div className="panel muted">{busy ? t('common.loading') : t('train.loadingDefaults')}</div>;
  const set = (patch: Partial<RunFormValues>) => setValues({ ...values, ...patch });
  const errors = parsed?.errors ?? {};
  const errorText = (k: keyof RunFormValues) => (errors[k] ? t(`train.error.${errors[k]}`) : undefined);
  const ok = parsed && Object.keys(errors).length === 0;

  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (!ok || !parsed) return;
        setStarting(true);
        void createRun(projectId, parsed.config, values.name).finally(() => setStarting(false));
      }}
      data-testid="train-form"
    >
      <div className="panel">
        <div className="row">
          <h2 style={{ margin: 0 }}>{t('train.what')}</h2>
          <span className="spacer" />
          <button type="button" className="secondary" onClick={() => yamlInput.current?.click()}>
            {t('train.yaml')}
          </button>
          <input
            ref={yamlInput}
            type="file"
            accept=".yaml,.yml"
            className="visually-hidden"
            tabIndex={-1}
            aria-label={t('train.yaml')}
            data-testid="yaml-input"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (!file) return;
              void file.text().then(async (text) => {
                const r = await configFromYaml(text);
                if (!r) return;
                // The YAML's datasets are LLaMA-Factory names: keep the dataset chosen here.
                formModel.current = r.config.model;
                setImported({ config: r.config, warnings: r.warnings });
                setValues((v) => ({ ...formFromConfig(r.config, v?.datasetId ?? ''), name: r.name ?? v?.name ?? '' }));
              });
            }}
          />
        </div>
        {imported && (
          <div className="banner banner-info" role="status" data-testid="yaml-imported" style={{ marginTop: 8 }}>
            <div>
              <div>{t('train.yamlLoaded')}</div>
              {imported.warnings.map((w) => (
                <div key={w.message} className="muted">
                  {tm(w)}
                </div>
              ))}
            </div>
          </div>
        )}
        {datasets.length === 0 && (
          <div className="banner banner-info" data-testid="train-no-dataset">
            <span>{t('train.noDataset')}</span>
            <a href="#import">{t('data.import')}</a>
          </div>
        )}
        <div className="form-grid">
          <Field label={t('train.model')} help={t('train.modelHelp')}>
            <PathInput kind="folder" value={values.model} onChange={(model) => set({ model })} browseLabel={t('common.browse')} />
          </Field>
          <LibraryModelPick value={values.model} onPick={(model) => set({ model })} wrapperClassName="field library-pick" />
          <Field label={t('train.dataset')} help={errorText('datasetId') ?? t('train.datasetHelp')}>
            <select value={values.datasetId} onChange={(e) => set({ datasetId: e.target.value })}>
              {datasets.length === 0 && <option value="">{t('preview.noDatasets')}</option>}
              {datasets.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name} ({d.rowCount})
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('train.template')} help={t('train.templateHelp')}>
            <select value={values.template} onChange={(e) => set({ template: e.target.value })}>
              <option value={defaults.config.template}>{t('preview.template.auto', { name: defaults.config.template })}</option>
              {templates
                .filter((tp) => tp.name !== defaults.config.template)
                .map((tp) => (
                  <option key={tp.name} value={tp.name}>
                    {tp.name}
                  </option>
                ))}
            </select>
          </Field>
          <Field label={t('train.name')} help={t('train.nameHelp')}>
            <input value={values.name} onChange={(e) => set({ name: e.target.value })} maxLength={100} placeholder={t('train.namePlaceholder')} />
          </Field>
        </div>
      </div>
      <div className="panel">
        <h2>{t('train.how')}</h2>
        <fieldset className="method">
          <legend className="label">{t('train.method')}</legend>
          {(['lora', 'qlora'] as const).map((m) => (
            <label key={m} className="method-option">
              <input type="radio" name="method" value={m} checked={values.method === m} onChange={() => set({ method: m })} />
              <span>
                <strong>{t(`train.method.${m}`)}</strong>
                <span className="help muted">{t(`train.method.${m}.help`)}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="form-grid" style={{ marginTop: 12 }}>
          {NUM_FIELDS.map((k) => (
            <Field key={k} label={t(`train.field.${k}` as MessageKey)} help={errorText(k) ?? t(`train.field.${k}.help` as MessageKey)}>
              <input inputMode="decimal" value={values[k]} onChange={(e) => set({ [k]: e.target.value })} aria-invalid={!!errors[k]} placeholder={k === 'loraAlpha' ? String(Number(values.loraRank) * 2 || '') : PLACEHOLDER[k] ? t(PLACEHOLDER[k]) : undefined} />
            </Field>
          ))}
          <Field label={t('train.field.gradientCheckpointing')} help={t('train.field.gradientCheckpointing.help')}>
            <select value={values.gradientCheckpointing} onChange={(e) => set({ gradientCheckpointing: e.target.value as RunFormValues['gradientCheckpointing'] })} data-testid="gradient-checkpointing">
              {(['auto', 'on', 'off'] as const).map((o) => (
                <option key={o} value={o}>
                  {t(`train.gradientCheckpointing.${o}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('train.field.device')} help={t('train.field.device.help')}>
            <select value={values.device} onChange={(e) => set({ device: e.target.value })}>
              <option value="auto">{t('train.device.auto')}</option>
              <option value="cpu">{t('train.device.cpu')}</option>
              {defaults.gpus.map((g) => (
                <option key={g.index} value={`cuda:${g.index}`}>
                  {g.name}
                </option>
              ))}
            </select>
          </Field>
        </div>
      </div>
      <div className="panel">
        <h2>{t('train.memory')}</h2>
        <MemoryMeter estimated={defaults.estimatedBytes} available={defaults.availableBytes} device={defaults.device} />
        {defaults.warnings.map((w) => (
          <p key={w.message} className="banner banner-warn" role="status">
            {tm(w)}
          </p>
        ))}
        <details>
          <summary>{t('train.notes')}</summary>
          <ul>
            {defaults.notes.map((n) => (
              <li key={n.message} className="muted">
                {tm(n)}
              </li>
            ))}
          </ul>
        </details>
      </div>
      {cli && (
        <div className="panel" data-testid="cli-command">
          <div className="row">
            <h2 style={{ margin: 0 }}>{t('train.cli')}</h2>
            <span className="spacer" />
            <button type="button" className="secondary" onClick={() => void navigator.clipboard?.writeText(`${cli.command}\n`)}>
              {t('train.copy')}
            </button>
            <button type="button" className="secondary" onClick={hideCli}>
              {t('common.close')}
            </button>
          </div>
          <p className="muted">{t('train.cliHelp')}</p>
          <pre>{cli.yaml}</pre>
          <pre style={{ marginTop: 8 }}>{cli.command}</pre>
        </div>
      )}
      <div className="row end">
        <button type="button" className="secondary" disabled={!ok} onClick={() => parsed && void showCli(parsed.config, values.name || undefined)}>
          {t('train.showCli')}
        </button>
        <button type="submit" disabled={!ok || disabled || starting || datasets.length === 0}>
          {starting ? t('common.working') : t('train.start')}
        </button>
      </div>
    </form>
  );
}

function MemoryMeter({ estimated, available, device }: { estimated: number | null; available: number | null; device: 'cpu' | 'cuda' }) {
  const t = useT();
  if (device === 'cpu' || available === null) return <p className="muted">{estimated === null ? t('train.memory.cpuOnly') : t('train.memory.cpu', { estimate: formatBytes(estimated) })}</p>;
  const share = estimated === null ? 0 : estimated / available;
  return (
    <div className="stack">
      <div className="progress-track" role="meter" aria-label={t('train.memory')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)}>
        <div className="progress-fill" style={{ width: `${Math.min(100, share * 100)}%`, background: share > 1 ? 'var(--danger)' : share > 0.85 ? 'var(--warn)' : 'var(--ok)' }} />
      </div>
      <p className="muted" style={{ margin: 0 }}>
        {t('train.memory.gpu', { estimate: estimated === null ? '–' : formatBytes(estimated), available: formatBytes(available) })}
      </p>
    </div>
  );
}
