// The writers of the formats built on merged weights other than safetensors (GGUF, Ollama, ONNX), looked up by
// export-job.ts. Each writes into the partial folder it is given; none renames or verifies.
import type { ChatTemplateOutput } from './chat-template.js';
import type { ExportJobSpec, ExportProgress } from './export-job.js';
import type { MergedWeights } from './merged-weights.js';

export interface FormatWriterInput {
  readonly spec: ExportJobSpec;
  readonly weights: MergedWeights;
  readonly dir: string;
  readonly template: ChatTemplateOutput | null;
  readonly readme: (kind: 'adapter' | 'merged' | 'gguf' | 'onnx', extra?: string[]) => string;
  readonly signal?: AbortSignal;
  readonly progress: (phase: ExportProgress['phase'], fraction: number, message: string) => void;
}

export type FormatWriter = (input: FormatWriterInput) => Promise<void>;

export const formatWriters: Record<'gguf' | 'ollama' | 'onnx', FormatWriter> = {
  gguf: async () => {
    throw new Error('GGUF export is not available yet.');
  },
  ollama: async () => {
    throw new Error('Ollama export is not available yet.');
  },
  onnx: async () => {
    throw new Error('ONNX export is not available yet.');
  },
};
