// One dataset: its facts, the rows (virtualised, paged from main), search and filters (done by main: the table
// pages through the matching rows), the selected row's record with exclude/edit, split settings and export.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DatasetDto, DatasetRowDto, RowFilter } from '../../../../preload/contract/datasets.js';
import { NumberJumpForm } from '../../components/NumberJumpForm.js';
import { VirtualTable, type Column } from '../../components/VirtualTable.js';
import { oneLine, recordAnswer, recordPrompt } from '../../components/record-text.js';
import { RowPageCache } from '../../components/row-page-cache.js';
import { messageOf } from '../../bridge/lathe-error.js';
import { useFormat } from '../../i18n/use-format.js';
import { useT } from '../../i18n/use-t.js';
import type { RowQuery } from '../../store/datasets/actions.js';
import { useLathe } from '../../store/bound-store.js';
import { RowEditor } from './RowEditor.js';
import { SplitPanel } from './SplitPanel.js';
import { ExportPanel } from './ExportPanel.js';

const FILTERS: readonly RowFilter[] = ['all', 'duplicates', 'excluded', 'edited', 'train', 'validation'];
/** Typing waits for a pause so each keystroke does not start a search in main. */
const SEARCH_DELAY_MS = 250;

interface Counts {
  readonly total: number;
  readonly matched: number;
}

export function DatasetView({ dataset }: { dataset: DatasetDto }) {
  const t = useT();
  const f = useFormat();
  const fetchRows = useLathe((s) => s.fetchRows);
  const excludeRow = useLathe((s) => s.excludeRow);
  const [version, setVersion] = useState(0);
  const [selected, setSelected] = useState<number | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [text, setText] = useState('');
  const [filter, setFilter] = useState<RowFilter>('all');
  // The query the table shows: the search text once typing pauses, the filter at once.
  const [query, setQuery] = useState<RowQuery>({ search: '', filter: 'all' });
  const [counts, setCounts] = useState<Counts | undefined>();
  const live = useRef<RowPageCache<DatasetRowDto> | undefined>(undefined);

  useEffect(() => {
    const search = text.trim();
    if (search === query.search && filter === query.filter) return;
    const timer = setTimeout(() => setQuery({ search, filter }), filter !== query.filter ? 0 : SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, filter, query]);

  // One page cache per query; a superseded query's answers still in flight are dropped.
  const cache = useMemo(() => {
    const c: RowPageCache<DatasetRowDto> = new RowPageCache<DatasetRowDto>(
      async (offset, limit) => {
        const r = await fetchRows(dataset.id, offset, limit, query);
        if (live.current === c) setCounts({ total: r.total, matched: r.matched });
        return r;
      },
      () => setVersion((v) => v + 1),
      (err) => setError(messageOf(err)),
    );
    return c;
  }, [dataset.id, query, fetchRows]);
  useEffect(() => {
    live.current = cache;
    setCounts(undefined);
    setSelected(undefined);
    cache.ensure(0, 1);
    return () => cache.clear();
  }, [cache]);

  const filtering = query.search !== '' || query.filter !== 'all';
  const typed = text.trim() !== query.search || filter !== query.filter;
  // A search or filter typed or chosen and not answered yet (the first page of plain rows needs no notice).
  const searching = (filtering || typed) && (typed || counts === undefined);
  const rowCount = counts?.matched ?? 0;
  const getRow = useCallback((i: number) => cache.get(i), [cache]);
  const onRange = useCallback((start: number, end: number) => cache.ensure(start, end), [cache]);
  const current = selected === undefined ? undefined : getRow(selected);

  /** Puts an edited or (un)excluded row back at its place in the table (the selected position). */
  const replaceRow = (row: DatasetRowDto) => {
    if (selected !== undefined) cache.replace(selected, row);
    setVersion((v) => v + 1);
  };

  const columns: Column<DatasetRowDto>[] = [
    { id: 'idx', header: '#', width: '64px', cell: (r) => <span className="muted">{r.idx + 1}</span> },
    { id: 'row', header: t('data.col.sourceRow'), width: '64px', cell: (r) => <span className="muted">{r.sourceRow}</span> },
    { id: 'prompt', header: t('data.col.prompt'), width: 'minmax(0, 1fr)', cell: (r) => oneLine(recordPrompt(r.record)) },
    { id: 'answer', header: t('data.col.answer'), width: 'minmax(0, 1fr)', cell: (r) => oneLine(recordAnswer(r.record)) },
    { id: 'split', header: t('data.col.split'), width: '88px', cell: (r) => <span className="badge">{t(`data.split.${r.split}`)}</span> },
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
          <h2 style={{ margin: 0 }} translate="no">{dataset.name}</h2>
          <span className="badge">{dataset.format.toUpperCase()}</span>
          <span className="spacer" />
          <span className="muted">{t('data.facts', { rows: f.num(dataset.rowCount), skipped: f.num(dataset.skippedCount), source: dataset.sourceName })}</span>
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
          <input type="search" aria-label={t('data.search')} placeholder={t('data.search.placeholder')} value={text} onChange={(e) => setText(e.target.value)} style={{ flex: 1, minWidth: 220 }} />
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
          <NumberJumpForm
            label={t('data.goTo')}
            button={t('data.go')}
            max={rowCount || undefined}
            disabled={filtering}
            onJump={(n) => {
              // Unfiltered, position = idx: record N is at N - 1, wherever it is among a million rows.
              if (rowCount === 0) return;
              const at = Math.min(n, rowCount) - 1;
              cache.ensure(at, at + 1);
              setSelected(at);
            }}
          />
          <span className="muted" data-testid="row-count" style={{ minWidth: 120, textAlign: 'right' }}>
            {searching ? t('data.scanning') : filtering ? t('data.matches', { count: f.num(rowCount) }) : t('data.rows', { count: f.num(counts?.total ?? 0) })}
          </span>
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
        {filtering && !searching && rowCount === 0 && <p className="muted">{t('data.noMatches')}</p>}
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
