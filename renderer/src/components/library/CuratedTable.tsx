// The recommended models: searchable, with parameters, approximate download size, LoRA and QLoRA VRAM, marked
// against the detected GPU; "Use" fills the download form with the id for the chosen hub.
import type { CuratedListDto, CuratedModelDto } from '../../../../preload/contract/index.js';
import { useMainMessage } from '../../i18n/main-message.js';
import { useT } from '../../i18n/use-t.js';
import { formatBytes, formatParams } from './format.js';

export interface CuratedTableProps {
  readonly list: CuratedListDto | undefined;
  readonly matches: readonly CuratedModelDto[];
  readonly search: string;
  onSearch(text: string): void;
  onUse(m: CuratedModelDto): void;
}

function Fit({ fits, bytes }: { fits: boolean | null; bytes: number | null }) {
  const t = useT();
  return (
    <span className={fits === null ? '' : fits ? 'lib-fit' : 'lib-nofit'}>
      {bytes === null ? '–' : formatBytes(bytes)}
      {fits !== null && <span className="lib-small"> {fits ? `✓ ${t('library.fits.yes')}` : `✗ ${t('library.fits.no')}`}</span>}
    </span>
  );
}

export function CuratedTable({ list, matches, search, onSearch, onUse }: CuratedTableProps) {
  const t = useT();
  const tm = useMainMessage();
  return (
    <section className="panel" aria-labelledby="lib-curated-heading">
      <div className="row">
        <h2 id="lib-curated-heading">{t('library.curated.heading')}</h2>
        <span className="spacer" />
        <input type="search" aria-label={t('library.curated.search')} placeholder={t('library.curated.search.placeholder')} value={search} onChange={(e) => onSearch(e.target.value)} />
      </div>
      {list && (
        <p className="muted lib-small">
          <span title={tm({ code: list.gpuNoteCode, params: list.gpuNoteParams, message: list.gpuNote })}>{list.gpu ? t('library.curated.gpu', { name: list.gpu.name, memory: formatBytes(list.gpu.memoryBytes) }) : t('library.curated.nogpu')}</span>{' '}
          {t('library.curated.assumptions', { assumptions: tm({ code: list.assumptionsCode, params: list.assumptionsParams, message: list.assumptions }) })}
        </p>
      )}
      {list && matches.length === 0 && <p className="muted">{t('library.curated.none', { text: search })}</p>}
      {matches.length > 0 && (
        <table className="lib-table" data-testid="curated-table">
          <thead>
            <tr>
              <th scope="col">{t('library.table.name')}</th>
              <th scope="col">{t('library.curated.params')}</th>
              <th scope="col">{t('library.curated.size')}</th>
              <th scope="col">{t('library.curated.lora')}</th>
              <th scope="col">{t('library.curated.qlora')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('library.table.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {matches.map((m) => (
              <tr key={m.key}>
                <th scope="row">
                  {m.label}
                  <div className="muted lib-small">
                    {m.hf}
                    {m.gated && <span className="badge lib-gated">{t('library.curated.gated')}</span>}
                  </div>
                </th>
                <td>{formatParams(m.parameters)}</td>
                <td>≈ {formatBytes(m.approxDownloadBytes)}</td>
                <td>
                  <Fit fits={m.fits.lora} bytes={m.vramLoraBytes} />
                </td>
                <td>
                  <Fit fits={m.fits.qlora} bytes={m.vramQloraBytes} />
                </td>
                <td>
                  <button type="button" className="secondary" aria-label={t('library.curated.use.label', { name: m.label })} onClick={() => onUse(m)}>
                    {t('library.curated.use')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
