// Exporting a run of the workspace: its newest adapter, its base model and template, a default folder in the
// project, and the recorded export — through the service, as the app's Export button does.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunConfig } from '../../preload/contract/runs.js';
import { makeTinyAdapter, TINY_MODEL } from '../../test/fixtures/export/tiny-adapter.js';
import { ProjectsStore } from '../db/projects-store.js';
import { RunsStore } from '../db/runs-store.js';
import { EventHub } from '../ipc/event-hub.js';
import { openWorkspace } from '../workspace/workspace.js';
import { resolveExport } from './export-inputs.js';
import { ExportsService } from './exports-service.js';

const work = mkdtempSync(join(tmpdir(), 'lathe-export-run-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('exporting a run', () => {
  it('finds the adapter, base, template and settings, writes into the project, and records the export', async () => {
    const workspace = openWorkspace(join(work, 'home'));
    const project = new ProjectsStore(workspace.db).create('Support bot');
    const runs = new RunsStore(workspace.db);
    const config = RunConfig.parse({ model: TINY_MODEL, datasets: [{ name: 'faq' }], template: 'chatml', learningRate: 2e-4, quantizationBit: 4 });
    const run = runs.create(project.id, 'faq-v1', config, null);
    const adapterRel = `projects/${project.id}/runs/${run.row.id}/output`;
    makeTinyAdapter(join(workspace.paths.home, adapterRel));
    runs.addArtifact(project.id, run.row.id, 'adapter', adapterRel, 1, { step: 10 });

    const r = resolveExport({ runId: run.row.id, format: 'gguf', quant: 'q8_0' }, workspace);
    expect(r.spec.adapterDir).toBe(join(workspace.paths.home, adapterRel));
    expect(r.spec.baseDir).toBe(TINY_MODEL);
    expect(r.spec.template).toMatchObject({ kind: 'spec', spec: { name: 'chatml' } });
    expect(r.spec.outDir).toBe(join(workspace.paths.project(project.id), 'exports', 'faq-v1-gguf-q8_0'));
    expect(r.spec.settings).toMatchObject({ learning_rate: 2e-4, quantization_bit: '4 (QLoRA; merged into the unquantised base)' });

    const svc = new ExportsService({ workspace, events: new EventHub(), transport: 'web' }, { engine: null });
    const job = await svc.start({ runId: run.row.id, format: 'merged', dtype: 'bf16' });
    const done = await svc.wait(job.jobId);
    expect(done.status, done.error?.message).toBe('completed');
    expect(done.out).toBe(join(workspace.paths.project(project.id), 'exports', 'faq-v1-merged-bf16'));
    expect(done.result!.verification.find((c) => c.check === 'merged weights')?.passed).toBe(true);
    const listed = await svc.list({ runId: run.row.id });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ format: 'merged', projectId: project.id, runId: run.row.id, path: done.out });
    // The adapter is the run's own artifact, not an export: the project counts the one export the listing shows.
    expect(new ProjectsStore(workspace.db).get(project.id).exportCount).toBe(1);
    // A second export of the same kind gets a numbered folder rather than failing.
    expect(resolveExport({ runId: run.row.id, format: 'merged' }, workspace).spec.outDir).toBe(`${done.out}-2`);
    workspace.close();
  });

  it('names default export folders with clean slugs of the run name, Chinese kept readable', () => {
    const workspace = openWorkspace(join(work, 'home-slug'));
    const project = new ProjectsStore(workspace.db).create('Slugs');
    const runs = new RunsStore(workspace.db);
    const config = RunConfig.parse({ model: TINY_MODEL, datasets: [{ name: 'faq' }], template: 'chatml' });
    const folderOf = (name: string, format: 'peft' | 'merged') => {
      const run = runs.create(project.id, name, config, null);
      const rel = `projects/${project.id}/runs/${run.row.id}/output`;
      makeTinyAdapter(join(workspace.paths.home, rel));
      runs.addArtifact(project.id, run.row.id, 'adapter', rel, 1, { step: 1 });
      return resolveExport({ runId: run.row.id, format }, workspace).spec.outDir;
    };
    const exportsDir = join(workspace.paths.project(project.id), 'exports');
    expect(folderOf('lathe-tiny-llama · #1', 'peft')).toBe(join(exportsDir, 'lathe-tiny-llama-1-peft'));
    expect(folderOf('客服问答 · #2', 'merged')).toBe(join(exportsDir, '客服问答-2-merged-bf16'));
    expect(folderOf('../../escape', 'peft')).toBe(join(exportsDir, 'escape-peft'));
    workspace.close();
  });

  it('refuses a run without an adapter and an adapter whose base is not a local folder', () => {
    const workspace = openWorkspace(join(work, 'home2'));
    const project = new ProjectsStore(workspace.db).create('P');
    const run = new RunsStore(workspace.db).create(project.id, 'r', RunConfig.parse({ model: TINY_MODEL, datasets: [{ name: 'd' }], template: 'chatml' }), null);
    expect(() => resolveExport({ runId: run.row.id, format: 'merged' }, workspace)).toThrow(/has no adapter yet/);
    const orphan = join(work, 'orphan');
    makeTinyAdapter(orphan);
    const cfgPath = join(orphan, 'adapter_config.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
    cfg.base_model_name_or_path = 'meta-llama/Llama-3.2-1B';
    writeFileSync(cfgPath, JSON.stringify(cfg));
    expect(() => resolveExport({ adapterDir: orphan, format: 'gguf', out: join(work, 'x') }, workspace)).toThrow(/--base DIR/);
    expect(existsSync(join(work, 'x'))).toBe(false);
    workspace.close();
  });
});
