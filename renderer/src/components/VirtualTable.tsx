// A table that draws only the rows in view (fixed row height), so a million rows scroll as smoothly as ten.
// Rows come from `getRow(i)` (undefined while a page loads: a placeholder row keeps the layout still) and
// `onRange` asks the owner to fetch what is about to be shown. Keyboard: arrows, Page Up/Down, Home/End, Enter.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { nextIndex, scrollToIndex, virtualWindow } from './virtual-window.js';

export interface Column<R> {
  readonly id: string;
  readonly header: string;
  /** CSS grid track, e.g. '80px' or '2fr'. */
  readonly width: string;
  readonly cell: (row: R, index: number) => ReactNode;
}

export interface VirtualTableProps<R> {
  readonly label: string;
  readonly columns: readonly Column<R>[];
  readonly total: number;
  readonly getRow: (index: number) => R | undefined;
  readonly onRange?: (start: number, end: number) => void;
  readonly rowHeight?: number;
  readonly height?: number;
  readonly selected?: number;
  readonly onSelect?: (index: number) => void;
  readonly onActivate?: (index: number) => void;
  readonly rowClassName?: (row: R, index: number) => string;
  /** Bumped by the owner when rows it had returned undefined for have arrived. */
  readonly version?: number;
  readonly testId?: string;
}

export function VirtualTable<R>(props: VirtualTableProps<R>) {
  const { columns, total, getRow, onRange, rowHeight = 32, height = 480, selected, onSelect, onActivate } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const frame = useRef(0);
  const w = virtualWindow(scrollTop, height, rowHeight, total);
  const template = columns.map((c) => c.width).join(' ');

  useEffect(() => {
    onRange?.(w.start, w.end);
  }, [w.start, w.end, onRange]);

  const onScroll = useCallback(() => {
    // One state update per animation frame, however fast the wheel spins.
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (scroller.current) setScrollTop(scroller.current.scrollTop);
    });
  }, []);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  // Keep the selected row in view when it changes from the keyboard or from outside (jump to row).
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || selected === undefined || selected < 0 || selected >= total) return;
    const top = scrollToIndex(selected, el.scrollTop, height, rowHeight, total);
    if (top !== el.scrollTop) {
      el.scrollTop = top;
      setScrollTop(top);
    }
  }, [selected, total, height, rowHeight]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Enter' && selected !== undefined) {
      e.preventDefault();
      onActivate?.(selected);
      return;
    }
    const next = nextIndex(e.key, selected ?? -1, total, Math.floor(height / rowHeight));
    if (next === undefined) return;
    e.preventDefault();
    onSelect?.(next);
  };

  const rows: ReactNode[] = [];
  for (let i = w.start; i < w.end; i++) {
    const row = getRow(i);
    const top = w.offsetTop + (i - w.start) * rowHeight;
    rows.push(
      <div
        key={i}
        role="row"
        aria-rowindex={i + 2}
        aria-selected={i === selected}
        className={`vt-row${i === selected ? ' selected' : ''}${row && props.rowClassName ? ` ${props.rowClassName(row, i)}` : ''}`}
        style={{ top, height: rowHeight, gridTemplateColumns: template }}
        onClick={() => onSelect?.(i)}
        onDoubleClick={() => onActivate?.(i)}
      >
        {row === undefined ? (
          <div role="gridcell" className="vt-cell vt-placeholder" style={{ gridColumn: `1 / span ${columns.length}` }} />
        ) : (
          columns.map((c) => (
            <div role="gridcell" key={c.id} className="vt-cell">
              {c.cell(row, i)}
            </div>
          ))
        )}
      </div>,
    );
  }

  return (
    <div className="vt" role="grid" aria-label={props.label} aria-rowcount={total + 1} data-testid={props.testId}>
      <div role="row" aria-rowindex={1} className="vt-header" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => (
          <div role="columnheader" key={c.id} className="vt-cell">
            {c.header}
          </div>
        ))}
      </div>
      <div
        ref={scroller}
        className="vt-scroller"
        style={{ height }}
        onScroll={onScroll}
        tabIndex={0}
        onKeyDown={onKeyDown}
      >
        <div className="vt-spacer" style={{ height: w.scrollHeight }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
