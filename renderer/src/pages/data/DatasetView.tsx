// One dataset: its facts, the rows (virtualised, paged from main), search and filters (a scan with progress and
// cancel), the selected row's record with exclude/edit, split settings and export.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DatasetDto, DatasetRowDto } from '../../../../preload/contract/datasets.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { VirtualTable, type Column } from '../../components/VirtualTable.js';
import { oneLine, recordAnswer, recordPrompt } from '../../components/record-text.js';
import { RowPageCache } from '../../components/row-page-cache.js';
import { scanRows } from '../../components/scan-rows.js';
import { messageOf } from '../../bridge/lathe-error.js';
import { useT } from '../../i18n/use-t.js';
import { useLathe } from '../../store/bound-store.js';
import { RowEditor } from './RowEditor.js';
import { rowFilter, type RowFilter } from './row-filter.js';
import { SplitPanel } from './SplitPanel.js';
import { ExportPanel } from './ExportPanel.js';

const FILTERS: readonly RowFilter[] = ['all', 'problems', 'duplicates', 'excluded', 'edited', 'train', 'validation'];

interface ScanState {
  readonly running: boolean;
  readonly scanned: number;
  readonly total: number;
  readonly matches: DatasetRowDto[];
  readonly startedAt: number;
}

export function DatasetView({ dataset }: { dataset: DatasetDto }) {
  const t = useT();
  const fetchRows = useLathe((s) => s.fetchRows);
  const excludeRow = useLathe((s) => s.excludeRow);
  const [total, setTotal] = useState<number | undefined>();
  const [version, setVersion] = useState(0);
  const [selected, setSelected] = useState<number | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<RowFilter>('all');
  const [scan, setScan] = useState<ScanState | undefined>();
  const abort = useRef<AbortController | undefined>(undefined);

  const cache = useMemo(
    () =>
      new RowPageCache<DatasetRowDto>(
        async (offset, limit) => {
          const r = await fetchRows(dataset.id, offset, limit);
          setTotal(r.total);
          return r;
        },
        () => setVersion((v) => v + 1),
        (err) => setError(messageOf(err)),
      ),
    [dataset.id, fetchRows],
  );
  useEffect(() => {
    cache.ensure(0, 1);
    return () => abort.current?.abort();
  }, [cache]);

  const filtering = query.trim() !== '' || filter !== 'all';
  const runScan = useCallback(() => {
    abort.current?.abort();
    if (query.trim() === '' && filter === 'all') {
      setScan(undefined);
      return;
    }
    const ac = (abort.current = new AbortController());
    const startedAt = Date.now();
    setScan({ running: true, scanned: 0, total: total ?? 0, matches: [], startedAt });
    setSelected(undefined);
    void scanRows((offset, limit) => fetchRows(dataset.id, offset, limit), rowFilter(filter, query), {
      signal: ac.signal,
      onProgress: (scanned, all) => !ac.signal.aborted && setScan((s) => s && { ...s, scanned, total: all }),
    })
      .then((r) => !ac.signal.aborted && setScan({ running: false, scanned: r.scanned, total: r.total, matches: r.matches, startedAt }))
      .catch((err) => {
        setError(messageOf(err));
        setScan(undefined);
      });
  }, [query, filter, total, dataset.id, fetchRows]);

  // Filters apply at once; typing waits for a pause so each keystroke does not start a scan.
  useEffect(() => {
    const timer = setTimeout(runScan, query ? 350 : 0);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query, filter]);

  const shown = filtering && scan ? scan.matches : undefined;
  const rowCount = shown ? shown.length : (total ?? 0);
  const getRow = useCallback((i: number) => (shown ? shown[i] : cache.get(i)), [shown, cache]);
  const onRange = useCallback((start: number, end: number) => !shown && cache.ensure(start, end), [shown, cache]);
  const current = selected === undefined ? undefined : getRow(selected);

  const replaceRow = (row: DatasetRowDto) => {
    cache.replace(row.idx, row);
    if (shown && selected !== undefined) setScan((s) => s && { ...s, matches: s.matches.map((m) => (m.idx === row.idx ? row : m)) });
    setVersion((v) => v + 1);
  };

  const columns: Column<DatasetRowDto>[] = [
    { id: 'idx', header: '#', width: '84px', cell: (r) => <span className="muted">{r.idx + 1}</span> },
    { id: 'row', header: t('data.col.sourceRow'), width: '84px', cell: (r) => <span className="muted">{r.sourceRow}</span> },
    { id: 'prompt', header: t('data.col.prompt'), width: 'minmax(0, 1fr)', cell: (r) => oneLine(recordPrompt(r.record)) },
    { id: 'answer', header: t('data.col.answer'), width: 'minmax(0, 1fr)', cell: (r) => oneLine(recordAnswer(r.record)) },
    { id: 'split', header: t('data.col.split'), width: '96px', cell: (r) => <span className="badge">{t(`data.split.${r.split}`)}</span> },
    {
      id: 'state',
      header: t('data.col.state'),
      width: '110px',
      cell: (r) => (r.excluded ? <span className="badge low">{t('data.state.excluded')}</span> : r.edited ? <span className="badge medium">{t('data.state.edited')}</span> : null),
    },
  ];

  return (
    <div className="stack" data-testid="dataset-view">
      <div className="panel">
        <div className="row">
          <h2 style={{ margin: 0 }}>{dataset.name}</h2>
          <span className="badge">{dataset.format.toUpperCase()}</span>
          <span className="spacer" />
          <span className="muted">{t('data.facts', { rows: dataset.rowCount.toLocaleString(), skipped: dataset.skippedCount.toLocaleString(), source: dataset.sourceName })}</span>
        </div>
      </div>
      {error && (
        <div className="banner banner-error" role="alert">
          <span>{error}</span>
          <button type="button" className="link" onClick={() => setError(undefined)}>
            {t('common.dismiss')}
          </button>
        </div>
      )}
      <div className="panel">
        <div className="row" style={{ marginBottom: 12 }}>
          <input type="search" aria-label={t('data.search')} placeholder={t('data.search.placeholder')} value={query} onChange={(e) => setQuery(e.target.value)} style={{ flex: 1, minWidth: 220 }} />
          <label className="check">
            <span>{t('data.filter')}</span>
            <select aria-label={t('data.filter')} value={filter} onChange={(e) => setFilter(e.target.value as RowFilter)}>
              {FILTERS.map((f) => (
                <option key={f} value={f}>
                  {t(`data.filter.${f}`)}
                </option>
              ))}
            </select>
          </label>
          <span className="muted" data-testid="row-count" style={{ minWidth: 120, textAlign: 'right' }}>
            {filtering && scan ? t('data.matches', { count: scan.matches.length.toLocaleString() }) : t('data.rows', { count: (total ?? 0).toLocaleString() })}
          </span>
        </div>
        <div style={{ minHeight: 40 }}>
          {scan?.running && (
            <div className="row" style={{ flexWrap: 'nowrap' }}>
              <div style={{ flex: 1 }}>
                <ProgressBar label={t('data.scanning')} done={scan.scanned} total={scan.total || undefined} elapsedS={(Date.now() - scan.startedAt) / 1000} etaLabel={(eta) => t('common.eta', { eta })} />
              </div>
              <button type="button" className="secondary" onClick={() => (abort.current?.abort(), setScan((s) => s && { ...s, running: false }))}>
                {t('common.cancel')}
              </button>
            </div>
          )}
        </div>
        <VirtualTable
          label={t('data.table', { name: dataset.name })}
          columns={columns}
          total={rowCount}
          getRow={getRow}
          onRange={onRange}
          selected={selected}
          onSelect={setSelected}
          rowClassName={(r) => (r.excluded ? 'excluded' : '')}
          version={version}
          height={420}
          testId="rows-table"
        />
        {filtering && scan && !scan.running && scan.matches.length === 0 && <p className="muted">{t('data.noMatches')}</p>}
      </div>
      {current && (
        <RowEditor
          key={`${current.idx}-${version}`}
          datasetId={dataset.id}
          row={current}
          onChanged={replaceRow}
          onExclude={async (excluded) => {
            const r = await excludeRow(dataset.id, current.idx, excluded);
            if (r) replaceRow(r);
          }}
        />
      )}
      <div className="grid-2">
        <SplitPanel dataset={dataset} onChanged={() => (cache.clear(), cache.ensure(0, 1), setVersion((v) => v + 1))} />
        <ExportPanel dataset={dataset} />
      </div>
    </div>
  );
}
