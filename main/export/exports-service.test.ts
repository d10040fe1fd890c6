// The exports domain end to end: CLI JSON shape with verification, the service's events and records, and the
// worker thread (bundled from source with esbuild, as the build's tsc output would be) with cancel.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { runLathe } from '../../test/helpers/run-cli.js';
import { makeTinyAdapter, TINY_MODEL } from '../../test/fixtures/export/tiny-adapter.js';
import { findEngineBinary } from '../engine/engine-binary.js';
import { EventHub } from '../ipc/event-hub.js';
import { openWorkspace } from '../workspace/workspace.js';
import { ProjectsStore } from '../db/projects-store.js';
import { ExportsStore } from '../db/exports-store.js';
import { runExport } from './export-runner.js';
import { ExportsService } from './exports-service.js';

const work = mkdtempSync(join(tmpdir(), 'lathe-exports-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const adapter = join(work, 'adapter');
makeTinyAdapter(adapter);
const engine = findEngineBinary();

function expectCheck(v: { check: string; passed: boolean; skipped?: boolean; detail: string }[], check: string): void {
  const c = v.find((x) => x.check === check);
  expect(c, `check “${check}” in ${JSON.stringify(v)}`).toBeDefined();
  if (engine || !c!.skipped) expect(c!.passed, c!.detail).toBe(true);
  else expect(c!.skipped).toBe(true);
}

describe('lathe export', () => {
  it('merged f32: prints {format, out, files, verification}; merged weights and the engine agree', async () => {
    const out = join(work, 'cli-merged');
    const r = await runLathe('--home', join(work, 'home'), '--json', 'export', adapter, '--format', 'merged', '--dtype', 'f32', '--shard-size', '1MB', '--template', 'qwen', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const j = r.json<{ format: string; out: string; files: { path: string; bytes: number }[]; verification: { check: string; passed: boolean; skipped?: boolean; detail: string }[] }>();
    expect(j.format).toBe('merged');
    expect(j.out).toBe(out);
    expect(j.files.some((f) => f.path === 'model.safetensors.index.json')).toBe(true);
    expect(j.files.every((f) => f.bytes > 0)).toBe(true);
    expectCheck(j.verification, 'merged weights');
    expectCheck(j.verification, 'engine: merged vs base + adapter');
  });

  it('gguf f16 and onnx: llama.cpp and onnxruntime continue prompts like the engine', async () => {
    const g = await runLathe('--home', join(work, 'home'), '--json', 'export', adapter, '--format', 'gguf', '--quant', 'f16', '--out', join(work, 'cli-gguf'));
    expect(g.code, g.stdout + g.stderr).toBe(0);
    expectCheck(g.json().verification, 'llama.cpp loads the GGUF');
    expectCheck(g.json().verification, 'llama.cpp vs engine');
    const o = await runLathe('--home', join(work, 'home'), '--json', 'export', adapter, '--format', 'onnx', '--out', join(work, 'cli-onnx'));
    expect(o.code, o.stdout + o.stderr).toBe(0);
    expectCheck(o.json().verification, 'onnxruntime vs engine');
  });

  it('refuses bad options with a usage error', async () => {
    const r = await runLathe('--home', join(work, 'home'), '--json', 'export', adapter, '--format', 'tflite', '--out', join(work, 'x'));
    expect(r.code).toBe(2);
    expect(r.json().error.message).toContain('--format must be one of');
  });
});

describe('exports service', () => {
  it('emits progress and finished, records the export, and removes it', async () => {
    const home = join(work, 'svc-home');
    const workspace = openWorkspace(home);
    const project = new ProjectsStore(workspace.db).create('P');
    const events = new EventHub();
    const seen: string[] = [];
    events.subscribe((name) => seen.push(name));
    const svc = new ExportsService({ workspace, events, transport: 'web' }, { engine: null });
    const job = await svc.start({ adapterDir: adapter, format: 'gguf', quant: 'q8_0', out: join(work, 'svc-gguf') });
    const done = await svc.wait(job.jobId);
    expect(done.status, done.error?.message).toBe('completed');
    expect(done.result!.verification.find((c) => c.check === 'llama.cpp vs engine')?.skipped).toBe(true);
    expect(seen).toContain('exports.progress');
    expect(seen[seen.length - 1]).toBe('exports.finished');
    // An adapter outside any run has no project: kept on disk, not recorded. Record one by hand to test remove.
    const store = new ExportsStore(workspace.db, home);
    const rec = store.add({ projectId: project.id, runId: null, format: 'gguf', out: join(work, 'svc-gguf'), bytes: 1, verification: [], options: {} });
    expect((await svc.list({ projectId: project.id })).map((e) => e.id)).toEqual([rec.id]);
    await svc.remove({ id: rec.id });
    expect(existsSync(join(work, 'svc-gguf'))).toBe(false);
    expect(await svc.list({})).toEqual([]);
    workspace.close();
  });
});

describe('export worker thread', () => {
  it('runs the job off the calling thread, reports progress, and cancels cleanly', async () => {
    const workerFile = join(work, 'export-worker.mjs');
    await build({ entryPoints: [join(import.meta.dirname, 'export-worker.ts')], outfile: workerFile, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['node-llama-cpp', 'onnxruntime-node'], logLevel: 'error', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
    const fractions: number[] = [];
    const res = await runExport({ format: 'merged', baseDir: TINY_MODEL, adapterDir: adapter, outDir: join(work, 'w-merged'), dtype: 'BF16' }, { onProgress: (p) => fractions.push(p.fraction) }, workerFile);
    expect(res.files.map((f) => f.path)).toContain('model.safetensors');
    expect(fractions.at(-1)).toBe(1);
    const ac = new AbortController();
    const p = runExport({ format: 'onnx', baseDir: TINY_MODEL, adapterDir: adapter, outDir: join(work, 'w-cancel') }, { signal: ac.signal, onProgress: (x) => x.phase === 'writing' && ac.abort() }, workerFile);
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect(readdirSync(work).filter((n) => n.startsWith('w-cancel'))).toEqual([]);
  });
});

describe('verification can fail', () => {
  it('notices a merged weight that is not base + scale·B·A', async () => {
    const { runExportJob } = await import('./export-job.js');
    const { verifyExport } = await import('./verify-export.js');
    const { SafetensorsSource } = await import('./safetensors-source.js');
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const out = join(work, 'corrupt');
    const spec = { format: 'merged' as const, baseDir: TINY_MODEL, adapterDir: adapter, outDir: out, dtype: 'F32' as const };
    const res = await runExportJob(spec);
    expect((await verifyExport(res, spec, { engine: null }))[0]).toMatchObject({ check: 'merged weights', passed: true });
    // Change one element of the first sampled row (row 0) of the first adapted matrix.
    const { openLoraAdapter } = await import('./lora-adapter.js');
    const ad = await openLoraAdapter(adapter);
    const first = [...ad.pairs.keys()][0]!;
    await ad.source.close();
    const src = await SafetensorsSource.open(out);
    const t = src.get(first)!;
    await src.close();
    const fd = openSync(join(out, t.file), 'r+');
    writeSync(fd, new Uint8Array(new Float32Array([0.25]).buffer), 0, 4, t.offset + 4 * 7);
    closeSync(fd);
    const checks = await verifyExport(res, spec, { engine: null });
    expect(checks[0]).toMatchObject({ check: 'merged weights', passed: false });
  });
});
