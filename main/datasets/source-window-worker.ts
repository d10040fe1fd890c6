// Worker-thread entry for the wizard's window reads (source-window-thread.ts): reads a window of a source file off
// the main thread, keeping each file's row offset index between requests; a request is cancelled by its id (a
// superseded jump). It holds nothing but the indexes.
import { parentPort } from 'node:worker_threads';
import { LatheError } from '../../preload/contract/errors.js';
import { readSourceWindow, RowIndexCache, type WindowRequest } from './indexed-window.js';

export type ToWindowWorker = { readonly type: 'read'; readonly id: number; readonly request: WindowRequest } | { readonly type: 'cancel'; readonly id: number };

const port = parentPort!;
const indexes = new RowIndexCache();
const running = new Map<number, AbortController>();

port.on('message', (m: ToWindowWorker) => {
  if (m.type === 'cancel') {
    running.get(m.id)?.abort();
    return;
  }
  const ac = new AbortController();
  running.set(m.id, ac);
  readSourceWindow(m.request, indexes, ac.signal)
    .then((r) => port.postMessage({ id: m.id, items: r.items, route: r.route }))
    .catch((err: unknown) => port.postMessage({ id: m.id, error: LatheError.from(err).toJSON() }))
    .finally(() => running.delete(m.id));
});
