// Walks a dataset's rows page by page to find those matching a predicate (search, filters), with progress and
// cancel. The datasets contract pages rows but cannot search them yet, so a search is this scan.
export interface ScanPage<R> {
  readonly total: number;
  readonly rows: readonly R[];
}

export interface ScanResult<R> {
  readonly matches: R[];
  readonly scanned: number;
  readonly total: number;
  readonly capped: boolean;
}

export async function scanRows<R>(
  fetchPage: (offset: number, limit: number) => Promise<ScanPage<R>>,
  keep: (row: R) => boolean,
  opts: { pageSize?: number; maxMatches?: number; signal?: AbortSignal; onProgress?: (scanned: number, total: number, found: number) => void } = {},
): Promise<ScanResult<R>> {
  const pageSize = opts.pageSize ?? 1000;
  const maxMatches = opts.maxMatches ?? 100_000;
  const matches: R[] = [];
  let offset = 0;
  let total = Infinity;
  while (offset < total) {
    if (opts.signal?.aborted) break;
    const page = await fetchPage(offset, pageSize);
    total = page.total;
    for (const r of page.rows) {
      if (keep(r)) {
        matches.push(r);
        if (matches.length >= maxMatches) return { matches, scanned: offset + page.rows.length, total, capped: true };
      }
    }
    offset += page.rows.length;
    opts.onProgress?.(offset, total, matches.length);
    if (page.rows.length === 0) break;
  }
  return { matches, scanned: Math.min(offset, total), total: Number.isFinite(total) ? total : 0, capped: false };
}
