// Greedy continuations from our own engine (lathe-engine in generate mode): base + adapter applied on the fly is
// the model the user tested, and every exported format is compared with it. Starts one process per call; does
// not compare anything itself.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';
import { EngineProcess, type EngineEvent } from '../engine/engine-process.js';

export interface EngineGreedyInput {
  readonly binary: string;
  readonly modelDir: string;
  readonly adapterDir: string | null;
  readonly prompts: readonly (readonly number[])[];
  readonly maxNewTokens: number;
  readonly device?: string;
}

/** One token list per prompt, in order. Stop tokens are not applied: every prompt yields maxNewTokens ids. */
export async function engineGreedy(i: EngineGreedyInput): Promise<number[][]> {
  const dir = mkdtempSync(join(tmpdir(), 'lathe-verify-'));
  try {
    const config = join(dir, 'generate.json');
    writeFileSync(config, JSON.stringify({ mode: 'generate', model_dir: i.modelDir, ...(i.adapterDir ? { adapter_dir: i.adapterDir } : {}), device: i.device ?? 'cpu', max_new_tokens: i.maxNewTokens, do_sample: false, stop_tokens: [] }));
    const results = new Map<number, number[]>();
    let error: string | null = null;
    const p = EngineProcess.start({
      binary: i.binary,
      configPath: config,
      onEvent: (e: EngineEvent) => {
        if (e.event === 'generation' && typeof e.id === 'number') results.set(e.id, (e.tokens as number[]).map(Number));
        if (e.event === 'error') error = String(e.message ?? 'engine error');
      },
    });
    i.prompts.forEach((prompt, id) => p.send({ cmd: 'generate', id, prompt_tokens: [...prompt], max_new_tokens: i.maxNewTokens }));
    p.endInput();
    const end = await p.exited;
    if (error || end.exitCode !== 0) throw new LatheError('engine_error', `The engine could not generate for verification: ${error ?? end.lastError?.message ?? `exit code ${end.exitCode}`}`);
    return i.prompts.map((_, id) => {
      const r = results.get(id);
      if (!r) throw new LatheError('engine_error', `The engine gave no answer for verification prompt ${id}.`);
      return r;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
