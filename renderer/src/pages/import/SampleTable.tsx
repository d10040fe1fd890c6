// The first rows of a source as parsed: row numbers as a person sees them in their spreadsheet, cells as text.
import { useT } from '../../i18n/use-t.js';
import { cellPreview } from './cell-preview.js';

export function SampleTable({ columns, rows, busy, highlight }: { columns: readonly string[]; rows: readonly { row: number; values: Record<string, unknown> }[]; busy?: boolean; highlight?: number }) {
  const t = useT();
  return (
    <div className="sample-table" aria-busy={busy} data-testid="sample-table" style={{ opacity: busy ? 0.6 : 1 }}>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('import.source.row')}</th>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.row} className={r.row === highlight ? 'selected' : ''}>
              <td className="rownum">{r.row}</td>
              {columns.map((c) => (
                <td key={c} title={cellPreview(r.values[c], 2000)}>
                  {cellPreview(r.values[c], 120)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
