import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWorkspace } from '../workspace/workspace.js';
import { datasetRevision } from './dataset-revision.js';
import { DatasetsStore } from './datasets-store.js';
import { ProjectsStore } from './projects-store.js';

describe('dataset revision', () => {
  it('changes with every edit, exclusion and split of that dataset, and with nothing else', () => {
    const ws = openWorkspace(mkdtempSync(join(tmpdir(), 'lathe-rev-')));
    const project = new ProjectsStore(ws.db).create('p');
    const store = new DatasetsStore(ws.db);
    const make = (name: string) => {
      const w = store.beginImport({ projectId: project.id, name, sourceName: 'd.jsonl', sourceSha256: '', sourceSize: 1, format: 'jsonl', readerOptions: {}, shape: 'single' });
      for (let i = 0; i < 3; i++) w.add(i, JSON.stringify({ kind: 'single', instruction: `q${i}`, output: 'a' }), i);
      return w.commit(0, 'single', 'sha', { fields: {} } as never).id;
    };
    const a = make('a');
    const b = make('b');
    const seen = new Set([datasetRevision(ws.db, a)]);
    const changes = [
      () => store.edit(a, 1, { kind: 'single', instruction: 'x', output: 'y' }),
      () => store.edit(a, 1, null),
      () => store.exclude(a, 2, true),
      () => store.setSplit(a, 3, 0.5),
    ];
    for (const change of changes) {
      change();
      const rev = datasetRevision(ws.db, a);
      expect(seen.has(rev)).toBe(false);
      seen.add(rev);
    }
    const before = datasetRevision(ws.db, a);
    store.edit(b, 0, { kind: 'single', instruction: 'other dataset', output: 'y' });
    new ProjectsStore(ws.db).create('another project');
    expect(datasetRevision(ws.db, a)).toBe(before);
    expect(() => datasetRevision(ws.db, 999)).toThrow(/no dataset 999/);
    ws.close();
  });
});
