// One import, start to finish: read the source as a stream, map and validate each row, write the good ones in short
// transactions under an invisible dataset row, and publish it only if the user's choice (skip bad rows, or stop)
// allows it. Runs in a worker thread in
// the app and inline in the CLI/tests. It does not talk to the renderer; progress goes to a callback.
import path from 'node:path';
import type { ImportResult, Mapping, Problem, ReaderOptions } from '../../preload/contract/datasets.js';
import { errorText, LatheError } from '../../preload/contract/errors.js';
import type { WriterStats } from '../db/dataset-import-writer.js';
import type { DatasetsStore, ImportWriter } from '../db/datasets-store.js';
import { cyrb53 } from './content-hash.js';
import { fingerprint } from './file-fingerprint.js';
import { suggestMapping } from './mapping-suggester.js';
import { mappedColumns, RecordMapper } from './record-mapper.js';
import { throwIfAborted } from './readers/decoded-text.js';
import { openSource } from './readers/source-reader.js';
import type { OpenedSource, SourceItem, SourceRecord } from './readers/source-types.js';
import { describeSource, SAMPLE_ROWS, toReadOptions } from './source-sample.js';
import { rowThreadFile, ThreadedRowSink } from './threaded-row-sink.js';
import { ValidationAccumulator } from './validation-report.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const IMPORT_ERROR_CODES = ['err.import.noRows', 'err.import.duplicate', 'err.import.noMapping', 'err.import.noColumn', 'err.import.badRows', 'err.import.badRowsAt', 'err.import.badRowsAtColumn'] as const;
const errText = errorText(IMPORT_ERROR_CODES);

export interface ImportJob {
  readonly projectId: number;
  readonly file: string;
  readonly name?: string;
  readonly options: ReaderOptions;
  readonly mapping?: Mapping;
  readonly skipBad: boolean;
  readonly allowDuplicate: boolean;
  /** Stored as the dataset's format instead of the reader's (e.g. 'llamafactory'). */
  readonly formatLabel?: string;
  /** Extra reader options to remember (the LLaMA-Factory entry …). */
  readonly extraOptions?: Readonly<Record<string, unknown>>;
}

export interface ImportProgress {
  readonly phase: 'reading' | 'writing' | 'done';
  readonly bytesRead: number;
  readonly totalBytes: number;
  readonly rows: number;
}

export interface ImportHooks {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ImportProgress) => void;
  /** Told the id of the unfinished dataset row as soon as it exists (a worker's parent discards it if the worker dies). */
  readonly onDataset?: (datasetId: number) => void;
  /** Told how the rows were written once the dataset is published (write transactions, lock hold times). */
  readonly onWritten?: (stats: WriterStats) => void;
  /** The compiled writer-thread script, or null to write on this thread; default: beside this module if built. */
  readonly rowThreadFile?: string | null;
}

const PROGRESS_MS = 200;

export async function runImport(store: DatasetsStore, job: ImportJob, hooks: ImportHooks = {}): Promise<ImportResult> {
  const { signal } = hooks;
  throwIfAborted(signal);
  store.requireProject(job.projectId);
  let bytesRead = 0;
  let lastEmit = 0;
  let rows = 0;
  let total = 0;
  const progress = (phase: ImportProgress['phase'], force = false) => {
    const now = Date.now();
    if (!force && now - lastEmit < PROGRESS_MS) return;
    lastEmit = now;
    hooks.onProgress?.({ phase, bytesRead, totalBytes: total, rows });
  };
  // The fingerprint streams the file alongside the reader (the OS cache serves the second reader); it stops with
  // the import, whatever ends it.
  const fpStop = new AbortController();
  const stopFp = () => fpStop.abort();
  signal?.addEventListener('abort', stopFp, { once: true });
  const fp = fingerprint(job.file, fpStop.signal);
  fp.catch(() => undefined);
  let gen: AsyncGenerator<readonly SourceItem[]> | null = null;
  let writer: ImportWriter | null = null;
  // With a compiled writer thread, rows go there (SQLite on the second core); `writer` then only cleans up.
  let sink: ThreadedRowSink | null = null;
  try {
    const src = await openSource(job.file, toReadOptions(job.options, { ...(signal ? { signal } : {}), onProgress: (b) => ((bytesRead = b), progress('reading')) }));
    total = src.size;
    gen = src.recordBatches ? src.recordBatches() : oneByOne(src.records());
    const head: SourceItem[] = [];
    if (!job.mapping) {
      for (let n = await gen.next(); !n.done; n = head.length < SAMPLE_ROWS ? await gen.next() : { done: true, value: undefined }) head.push(...n.value);
    }
    const mapping = job.mapping ?? chooseMapping(src, head.slice(0, SAMPLE_ROWS));
    checkColumns(src, mapping);

    const acc = new ValidationAccumulator(mapping, src.columns);
    const mapper = new RecordMapper(mapping);
    const kinds = new Set<string>();
    let skipped = 0;
    let failing = false;
    writer = store.beginImport({
      projectId: job.projectId,
      name: job.name ?? path.basename(job.file, path.extname(job.file)),
      sourceName: path.basename(job.file),
      sourceSha256: '',
      sourceSize: src.size,
      format: job.formatLabel ?? src.format,
      readerOptions: { ...readerOptionsOf(src), ...job.extraOptions },
      shape: mapping.shape,
    });
    hooks.onDataset?.(writer.datasetId);
    // Only for batch readers (CSV): there writing the rows is a large share of the work; the xlsx reader dominates its
    // imports, and the thread only added CPU (measured: scripts/bench/datasets-README.md).
    const threadFile = hooks.rowThreadFile === undefined ? rowThreadFile() : hooks.rowThreadFile;
    if (threadFile && src.recordBatches) sink = new ThreadedRowSink(threadFile, store.dbFile, writer.datasetId);
    // Without skipBad, the first bad row dooms the import: remove what was written at once (with a writer thread:
    // after the current batch) and keep reading only to report every problem.
    const fail = () => {
      skipped++;
      if (job.skipBad || failing) return;
      failing = true;
      if (sink) return;
      writer?.rollback();
      writer = null;
    };
    const abandon = async () => {
      const s = sink;
      sink = null;
      await s?.rollback();
      writer?.rollback(); // whatever a dead thread left
      writer = null;
    };
    const handle = (item: SourceItem) => {
      if (item.type === 'problem') {
        acc.unreadable(item);
        fail();
        return;
      }
      const mapped = mapper.map(item.values);
      const record = mapped.record;
      if (acc.checkProblems(item.row, mapped).length > 0 || !record) {
        fail();
        return;
      }
      if (failing) return;
      kinds.add(record.kind);
      // With a writer thread, the record's JSON and hash are built there, beside the SQLite work (this thread is the
      // import's critical path); on this thread otherwise.
      if (sink) sink.add(item.row, record);
      else {
        const json = JSON.stringify(record);
        writer!.add(item.row, json, cyrb53(json));
      }
      rows++;
    };
    for (const item of head) handle(item);
    let n = 0;
    for await (const items of gen) {
      for (const item of items) {
        handle(item);
        if ((++n & 4095) === 0) {
          throwIfAborted(signal);
          progress('reading');
        }
      }
      if (sink) await (failing ? abandon() : sink.drain());
    }
    throwIfAborted(signal);
    const report = acc.finish(src.stats.blankRows);
    if (failing) throw badRows(job.file, report.problems, report.problemCount);
    if (rows === 0) throw new LatheError('bad_input', `${path.basename(job.file)} has no rows that could be imported with this mapping.`, { file: job.file }, errText('err.import.noRows', { name: path.basename(job.file) }));
    progress('writing', true);
    const { sha256 } = await fp;
    const earlier = store.findBySource(job.projectId, sha256);
    if (earlier.length > 0 && !job.allowDuplicate) {
      throw new LatheError('already_exists', `${path.basename(job.file)} was already imported as “${earlier[0]!.name}” (same content, SHA-256 ${sha256.slice(0, 12)}…). Import it again anyway with allowDuplicate (CLI: --allow-duplicate).`, {
        file: job.file,
        datasetId: earlier[0]!.id,
        name: earlier[0]!.name,
      }, errText('err.import.duplicate', { file: path.basename(job.file), name: earlier[0]!.name, sha: sha256.slice(0, 12) }));
    }
    const shape = kinds.size === 1 ? [...kinds][0]! : kinds.size === 0 ? mapping.shape : 'mixed';
    const dataset = sink ? await sink.commit(skipped, shape, sha256, mapping) : writer!.commit(skipped, shape, sha256, mapping);
    hooks.onWritten?.(sink?.stats ?? writer!.stats);
    sink = null;
    writer = null;
    progress('done', true);
    const d = describeSource(src);
    return {
      dataset,
      rows,
      skipped,
      blankRows: report.blankRows,
      ...(d.encoding ? { encoding: d.encoding } : {}),
      ...(d.sheet ? { sheet: d.sheet } : {}),
      ...(d.headerRow ? { headerRow: d.headerRow } : {}),
      mapping,
      problems: report.problems,
    };
  } finally {
    if (sink) await sink.rollback();
    writer?.rollback();
    stopFp();
    signal?.removeEventListener('abort', stopFp);
    await gen?.return(undefined);
  }
}

/** Batches of one, for sources that only iterate record by record. */
async function* oneByOne(items: AsyncGenerator<SourceItem>): AsyncGenerator<readonly SourceItem[]> {
  for await (const item of items) yield [item];
}

function readerOptionsOf(src: OpenedSource): Record<string, unknown> {
  const d = describeSource(src);
  return Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined));
}

function chooseMapping(src: OpenedSource, head: readonly SourceItem[]): Mapping {
  const records = head.filter((i): i is SourceRecord => i.type === 'record').map((r) => r.values);
  const s = suggestMapping(src.columns, records);
  if (s.confidence <= 0) {
    throw new LatheError(
      'bad_input',
      `Lathe could not tell which columns of ${path.basename(src.file)} hold the questions and the answers (columns: ${src.columns.map((c) => `“${c}”`).join(', ')}). Choose them, e.g. --map instruction=COLUMN --map output=COLUMN.`,
      { file: src.file, columns: src.columns },
      errText('err.import.noMapping', { name: path.basename(src.file), columns: src.columns.map((c) => `“${c}”`).join(', ') }),
    );
  }
  return s.mapping;
}

/** Every mapped column must exist in the file (tables: in the header; JSON: among the keys seen so far). */
function checkColumns(src: OpenedSource, mapping: Mapping): void {
  const missing = mappedColumns(mapping).filter((c) => !src.columns.includes(c));
  if (missing.length === 0) return;
  throw new LatheError(
    'bad_input',
    `${path.basename(src.file)} has no column ${missing.map((c) => `“${c}”`).join(', ')}. Its columns are: ${src.columns.map((c) => `“${c}”`).join(', ')}.`,
    { file: src.file, column: missing[0], columns: src.columns },
    errText('err.import.noColumn', { name: path.basename(src.file), missing: missing.map((c) => `“${c}”`).join(', '), columns: src.columns.map((c) => `“${c}”`).join(', ') }),
  );
}

function badRows(file: string, problems: readonly Problem[], count: number): LatheError {
  const first = problems[0];
  const where = first ? ` First: row ${first.row}${first.column ? `, column “${first.column}”` : ''}: ${first.message}` : '';
  return new LatheError(
    'bad_input',
    `${path.basename(file)}: ${count} row${count === 1 ? ' has a problem' : 's have problems'}, so nothing was imported.${where} Fix the mapping, or leave those rows out (CLI: --skip-bad).`,
    { file, ...(first ? { row: first.row, column: first.column } : {}), problems, problemCount: count },
    !first
      ? errText('err.import.badRows', { name: path.basename(file), count })
      : first.column
        ? errText('err.import.badRowsAtColumn', { name: path.basename(file), count, row: first.row, column: first.column, problem: first.message })
        : errText('err.import.badRowsAt', { name: path.basename(file), count, row: first.row, problem: first.message }),
  );
}
