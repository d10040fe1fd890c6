// The arithmetic of a windowed list: which rows to draw for a scroll position, and where. Pure, so it is tested
// without a DOM. Browsers cap an element's height (Chrome near 33.5M px, Firefox near 17.9M px), so past
// MAX_SCROLL_PX the scrollable height is compressed and scrollTop is mapped back to a row by proportion.
export const MAX_SCROLL_PX = 8_000_000;

export interface VirtualWindow {
  /** First and one-past-last row to render. */
  readonly start: number;
  readonly end: number;
  /** Height of the scrollable spacer. */
  readonly scrollHeight: number;
  /** Pixel top (inside the spacer) of row `start`. */
  readonly offsetTop: number;
}

export function virtualWindow(scrollTop: number, viewport: number, rowHeight: number, total: number, overscan = 6): VirtualWindow {
  const content = total * rowHeight;
  const scrollHeight = Math.min(content, MAX_SCROLL_PX);
  const maxScroll = Math.max(0, scrollHeight - viewport);
  const top = Math.min(Math.max(0, scrollTop), maxScroll);
  // Compressed: map the scroll position to the content position by proportion (identity when not compressed).
  const contentTop = maxScroll > 0 && content > scrollHeight ? (top / maxScroll) * (content - viewport) : top;
  const first = Math.floor(contentTop / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, Math.ceil((contentTop + viewport) / rowHeight) + overscan);
  // Row `first` sits at `top - (contentTop - first*rowHeight)` in spacer coordinates.
  const offsetTop = top - (contentTop - start * rowHeight);
  return { start, end, scrollHeight, offsetTop };
}

/** The scrollTop that brings row `index` fully into view, or `scrollTop` unchanged when it already is. */
export function scrollToIndex(index: number, scrollTop: number, viewport: number, rowHeight: number, total: number): number {
  const content = total * rowHeight;
  const scrollHeight = Math.min(content, MAX_SCROLL_PX);
  const maxScroll = Math.max(0, scrollHeight - viewport);
  const ratio = content > scrollHeight && content - viewport > 0 ? maxScroll / (content - viewport) : 1;
  const contentTop = ratio === 1 ? scrollTop : scrollTop / ratio;
  const rowTop = index * rowHeight;
  let want = contentTop;
  if (rowTop < contentTop) want = rowTop;
  else if (rowTop + rowHeight > contentTop + viewport) want = rowTop + rowHeight - viewport;
  else return scrollTop;
  return Math.min(maxScroll, Math.max(0, want * ratio));
}

/** Keyboard navigation in a list of `total` rows showing `pageRows` at a time; undefined for keys it ignores. */
export function nextIndex(key: string, current: number, total: number, pageRows: number): number | undefined {
  if (total === 0) return undefined;
  const clamp = (i: number) => Math.min(total - 1, Math.max(0, i));
  switch (key) {
    case 'ArrowDown':
      return clamp(current + 1);
    case 'ArrowUp':
      return clamp(current - 1);
    case 'PageDown':
      return clamp(current + Math.max(1, pageRows - 1));
    case 'PageUp':
      return clamp(current - Math.max(1, pageRows - 1));
    case 'Home':
      return 0;
    case 'End':
      return total - 1;
    default:
      return undefined;
  }
}
