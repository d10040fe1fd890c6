import fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetsStore } from '../db/datasets-store.js';
import { ProjectsStore } from '../db/projects-store.js';
import { openWorkspace } from '../workspace/workspace.js';
import { openStoredChunks } from './stored-chunks.js';
import { storedDatasetRecords } from './stored-dataset.js';

const root = path.resolve(import.meta.dirname, '..', '..');

/** Modules reachable from `entry` through value imports (type-only imports are erased, so they do not count). */
function valueImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = fs.readFileSync(file, 'utf8');
    const specs = [
      ...[...src.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^'";]*?from\s+['"](\.[^'"]+)['"]/gm)].map((m) => m[1]!),
      ...[...src.matchAll(/^\s*import\s+['"](\.[^'"]+)['"]/gm)].map((m) => m[1]!),
      ...[...src.matchAll(/\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) => m[1]!),
    ];
    for (const spec of specs) {
      const ts = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
      if (fs.existsSync(ts)) visit(ts);
    }
  };
  visit(path.join(root, entry));
  return new Set([...seen].map((f) => path.relative(root, f)));
}

describe('stored chunks (read in the statistics worker)', () => {
  it('are read only by the worker: nothing the main process loads imports the reading modules', () => {
    const reading = ['main/preview/stored-chunks.ts', 'main/db/dataset-rows-reader.ts'];
    const worker = valueImports('main/preview/measure-worker.ts');
    for (const m of reading) expect(worker.has(m)).toBe(true);
    for (const entry of ['main/services/create-services.ts', 'main/preview/preview-service.ts', 'main/preview/measure-job.ts', 'main/cli/main.ts']) {
      const reached = valueImports(entry);
      expect(reached.size).toBeGreaterThan(2);
      expect(reading.filter((m) => reached.has(m))).toEqual([]);
    }
  });

  it('read edited, included rows of one split by idx range over their own read-only connection', () => {
    const ws = openWorkspace(mkdtempSync(join(tmpdir(), 'lathe-chunks-')));
    const project = new ProjectsStore(ws.db).create('p');
    const store = new DatasetsStore(ws.db);
    const w = store.beginImport({ projectId: project.id, name: 'd', sourceName: 'd.jsonl', sourceSha256: '', sourceSize: 1, format: 'jsonl', readerOptions: {}, shape: 'single' });
    for (let i = 0; i < 25; i++) w.add(i, JSON.stringify({ kind: 'single', instruction: `q${i}`, output: `a${i}` }), `h${i}`);
    const d = w.commit(0, 'single', 'sha', { fields: {} } as never);
    store.edit(d.id, 3, { kind: 'single', instruction: 'edited', output: 'x' });
    store.exclude(d.id, 4, true);
    store.setSplit(d.id, 7, 0.2);
    const all = openStoredChunks({ dbFile: ws.paths.dbFile, datasetId: d.id });
    const first = all.read(0, 10);
    expect(first.rows).toBe(10);
    expect([...first.payload.indexes]).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]);
    expect(JSON.parse(first.payload.texts[3]!)).toMatchObject({ instruction: 'edited' });
    const tail = all.read(20, undefined);
    expect([tail.rows, tail.payload.indexes.length]).toEqual([5, 5]);
    expect(all.read(100, 110).rows).toBe(0);
    all.close();
    for (const split of ['train', 'validation'] as const) {
      const c = openStoredChunks({ dbFile: ws.paths.dbFile, datasetId: d.id, split });
      const texts = [...c.read(0, 10).payload.texts, ...c.read(10, undefined).payload.texts];
      c.close();
      expect(texts.map((t) => JSON.parse(t))).toEqual(storedDatasetRecords(ws.db, d.id, split));
    }
    expect(() => openStoredChunks({ dbFile: ws.paths.dbFile, datasetId: 999 })).toThrow(/no dataset 999/);
    ws.close();
  });
});
