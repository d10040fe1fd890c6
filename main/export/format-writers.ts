// The writers of the formats built on merged weights other than safetensors (GGUF, Ollama, ONNX), looked up by
// export-job.ts. Each writes into the partial folder it is given; none renames or verifies.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeGguf } from '../gguf/gguf-export.js';
import type { QuantPreset } from '../gguf/gguf-tensor-map.js';
import { writeOnnx } from '../onnx/onnx-export.js';
import type { ChatTemplateOutput } from './chat-template.js';
import type { ExportJobSpec, ExportProgress } from './export-job.js';
import type { MergedWeights } from './merged-weights.js';
import { renderModelfile } from './modelfile.js';
import { writeModelFiles } from './model-files.js';

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

/** `model-q4_k_m.gguf`: the file name says the quantisation, as llama.cpp users expect. */
export function ggufFileName(quant: QuantPreset): string {
  return `model-${quant}.gguf`;
}

async function ggufInto(i: FormatWriterInput): Promise<{ file: string; eos: string | null }> {
  const quant = (i.spec.quant ?? 'q8_0') as QuantPreset;
  const file = ggufFileName(quant);
  const tc = await import('node:fs/promises').then((fs) => fs.readFile(join(i.spec.baseDir, 'tokenizer_config.json'), 'utf8')).then((t) => JSON.parse(t) as { eos_token?: unknown; chat_template?: unknown }).catch(() => ({}) as { eos_token?: unknown; chat_template?: unknown });
  const baseEos = typeof tc.eos_token === 'string' ? tc.eos_token : ((tc.eos_token as { content?: string } | undefined)?.content ?? null);
  const eos = i.template?.eosToken ?? baseEos;
  await writeGguf(i.weights, i.spec.baseDir, join(i.dir, file), {
    preset: quant,
    name: i.spec.title ?? 'lathe-export',
    eosToken: eos,
    chatTemplate: i.template?.jinja ?? null,
    signal: i.signal,
    onProgress: (done, total, tensor) => i.progress('writing', 0.02 + 0.95 * (done / total), `Writing ${tensor}`),
  });
  return { file, eos };
}

export const formatWriters: Record<'gguf' | 'ollama' | 'onnx', FormatWriter> = {
  gguf: async (i) => {
    await ggufInto(i);
    await writeFile(join(i.dir, 'README.md'), i.readme('gguf'));
  },
  ollama: async (i) => {
    const { file, eos } = await ggufInto(i);
    await writeFile(join(i.dir, 'Modelfile'), renderModelfile(file, i.spec.template ?? null, i.template, eos));
    await writeFile(join(i.dir, 'README.md'), i.readme('gguf', ['## Ollama', '', '```sh', 'ollama create my-model -f Modelfile', 'ollama run my-model', '```', '']));
  },
  onnx: async (i) => {
    const dtype = i.spec.dtype ?? 'F32';
    await writeOnnx(i.weights, i.spec.baseDir, i.dir, {
      dtype,
      signal: i.signal,
      onProgress: (done, total, tensor) => i.progress('writing', 0.02 + 0.95 * (done / total), `Writing ${tensor}`),
    });
    // Tokenizer, config and generation settings beside the graph: what a runtime needs to chat with it.
    await writeModelFiles(i.spec.baseDir, i.dir, dtype, i.template);
    const note = dtype === 'F32'
      ? 'Weights and computation in float32.'
      : `Weights stored as ${dtype.toLowerCase()} (half the file of float32); the graph casts them to float32 where they are used and computes in float32, inputs and outputs included. onnxruntime folds those casts when it loads the model, so in memory the weights take their float32 size.`;
    await writeFile(join(i.dir, 'README.md'), i.readme('onnx', ['## Precision', '', note, '']));
  },
};
