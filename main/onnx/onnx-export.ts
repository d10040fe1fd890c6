// Writes the merged decoder as ONNX (model.onnx + model.onnx.data). Placeholder until the graph builder lands.
import type { MergedWeights } from '../export/merged-weights.js';

export interface OnnxExportOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, tensor: string) => void;
}

export async function writeOnnx(_w: MergedWeights, _modelDir: string, _outDir: string, _o: OnnxExportOptions): Promise<void> {
  throw new Error('ONNX export is not available yet.');
}
