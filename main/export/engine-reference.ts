// Greedy continuations and their scores from our own engine (lathe-engine in generate mode): base + adapter applied
// on the fly is the model the user tested, and every exported format is compared with it. Starts one process per
// call; does not compare anything itself (logit-compare.ts does).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';
import { EngineProcess, type EngineEvent } from '../engine/engine-process.js';

export interface EngineReferenceInput {
  readonly binary: string;
  readonly modelDir: string;
  readonly adapterDir: string | null;
  readonly prompts: readonly (readonly number[])[];
  readonly maxNewTokens: number;
  /** How many (id, logprob) of each step's distribution to keep (the engine's `logprobs`); 0 keeps none. */
  readonly topK?: number;
  /** Ask for the full next-token logits after each prompt (the engine's `prompt_logits: -1`). */
  readonly promptLogits?: boolean;
  readonly device?: string;
}

/** One step of a greedy continuation: the token picked and the most likely (id, logprob) of its distribution. */
export interface EngineStep {
  readonly id: number;
  readonly logprob: number;
  readonly top: readonly (readonly [number, number])[];
}

export interface EngineAnswer {
  readonly tokens: number[];
  /** One per token, when topK > 0: steps[0] is the distribution right after the prompt. */
  readonly steps: EngineStep[];
  /** All V logits of the token after the prompt, when promptLogits. */
  readonly promptLogits: Float32Array | null;
}

/** One answer per prompt, in order. Stop tokens are not applied: every prompt yields maxNewTokens ids. */
export async function engineReference(i: EngineReferenceInput): Promise<EngineAnswer[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lathe-verify-'));
  try {
    const config = join(dir, 'generate.json');
    writeFileSync(config, JSON.stringify({ mode: 'generate', model_dir: i.modelDir, ...(i.adapterDir ? { adapter_dir: i.adapterDir } : {}), device: i.device ?? 'cpu', max_new_tokens: i.maxNewTokens, do_sample: false, stop_tokens: [] }));
    const results = new Map<number, EngineAnswer>();
    let error: string | null = null;
    const p = EngineProcess.start({
      binary: i.binary,
      configPath: config,
      onEvent: (e: EngineEvent) => {
        if (e.event === 'generation' && typeof e.id === 'number') {
          const steps = ((e.logprobs as { id: number; logprob: number; top: [number, number][] }[] | undefined) ?? []).map((s) => ({ id: s.id, logprob: s.logprob, top: s.top }));
          const logits = e.prompt_logits as (number | null)[] | undefined;
          results.set(e.id, { tokens: (e.tokens as number[]).map(Number), steps, promptLogits: logits ? Float32Array.from(logits, (x) => x ?? Number.NaN) : null });
        }
        if (e.event === 'error') error = String(e.message ?? 'engine error');
      },
    });
    const scores = { ...(i.topK ? { logprobs: i.topK } : {}), ...(i.promptLogits ? { prompt_logits: -1 } : {}) };
    i.prompts.forEach((prompt, id) => p.send({ cmd: 'generate', id, prompt_tokens: [...prompt], max_new_tokens: i.maxNewTokens, ...scores }));
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
