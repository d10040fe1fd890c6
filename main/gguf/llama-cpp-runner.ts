// Runs a GGUF file through llama.cpp (node-llama-cpp's prebuilt CPU binaries, never downloading or building) to
// get next-token log-probabilities and greedy continuations: the check that what we wrote is what llama.cpp reads.
// Does not compare anything; verify-export.ts does.
import { availableParallelism } from 'node:os';
import { LatheError } from '../../preload/contract/errors.js';

export interface NextTokenResult {
  /** log p(token) for every token of the vocabulary, at temperature 1, no top-k/top-p/min-p. */
  readonly logProbs: Float32Array;
  readonly top: number;
}

export interface LlamaCppSession {
  readonly vocabSize: number;
  nextToken(prompt: readonly number[]): Promise<NextTokenResult>;
  greedy(prompt: readonly number[], maxNew: number): Promise<number[]>;
  tokenize(text: string): number[];
  metadata(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

type NlcModule = typeof import('node-llama-cpp');
let llamaPromise: Promise<{ mod: NlcModule; llama: Awaited<ReturnType<NlcModule['getLlama']>> }> | undefined;

/** One llama.cpp instance per process, CPU only, prebuilt binaries only (no network, no compiler). */
async function llamaCpp() {
  llamaPromise ??= (async () => {
    process.env.NODE_LLAMA_CPP_SKIP_DOWNLOAD = 'true';
    const mod = await import('node-llama-cpp');
    try {
      const llama = await mod.getLlama({ gpu: false, build: 'never', usePrebuiltBinaries: true, progressLogs: false, skipDownload: true, logLevel: mod.LlamaLogLevel.error });
      return { mod, llama };
    } catch (err) {
      llamaPromise = undefined;
      throw new LatheError('unsupported', `llama.cpp (node-llama-cpp) could not start on this machine: ${(err as Error).message}`);
    }
  })();
  return llamaPromise;
}

export async function openGguf(path: string, contextSize = 256): Promise<LlamaCppSession> {
  const { mod, llama } = await llamaCpp();
  const model = await llama.loadModel({ modelPath: path });
  // Explicit threads: left to itself llama.cpp spins more threads than a small CPU has and slows ~20×.
  const context = await model.createContext({ contextSize, sequences: 1, threads: Math.max(1, Math.min(8, availableParallelism())) });
  const vocabSize = Number((model.fileInfo.metadata as unknown as { tokenizer?: { ggml?: { tokens?: unknown[] } } }).tokenizer?.ggml?.tokens?.length ?? 0);
  const sampling = { temperature: 1, topK: 0, topP: 1, minP: 0 };
  const seq = context.getSequence();
  /** Appends tokens to the sequence and returns the distribution of the one after them. */
  const evalNext = async (tokens: readonly number[]): Promise<NextTokenResult> => {
    const input = [...tokens.slice(0, -1), [tokens[tokens.length - 1]!, { generateNext: { probabilities: true, options: sampling } }]] as Parameters<typeof seq.controlledEvaluate>[0];
    const res = await seq.controlledEvaluate(input);
    const probs = res[res.length - 1]?.next.probabilities;
    if (!probs) throw new Error('llama.cpp returned no probabilities.');
    const logProbs = new Float32Array(vocabSize || probs.size).fill(-Infinity);
    let top = -1;
    let best = -1;
    for (const [t, p] of probs) {
      logProbs[t] = Math.log(p);
      if (p > best) [best, top] = [p, t];
    }
    return { logProbs, top };
  };
  const session: LlamaCppSession = {
    vocabSize,
    async nextToken(prompt) {
      // Each question starts from an empty KV cache: no state carries over between prompts.
      await seq.clearHistory();
      return evalNext(prompt);
    },
    async greedy(prompt, maxNew) {
      // Prompt once, then one token at a time through llama.cpp's own KV cache.
      await seq.clearHistory();
      const out: number[] = [];
      let next = await evalNext(prompt);
      for (let i = 0; i < maxNew; i++) {
        out.push(next.top);
        if (i + 1 < maxNew) next = await evalNext([next.top]);
      }
      return out;
    },
    tokenize(text) {
      return model.tokenize(text, true).map(Number);
    },
    async metadata() {
      return (await mod.readGgufFileInfo(path, { readTensorInfo: false })).metadata as unknown as Record<string, unknown>;
    },
    async close() {
      await context.dispose();
      await model.dispose();
    },
  };
  return session;
}
