// The playground's ONNX exporter: a plain model folder (+ adapter) merged and written as `model.onnx` through the
// export module's job runner (worker thread when built). A thin adapter; caching and the atomic rename into the
// cache are onnx-model-source.ts's.
import { exportOnnxForPlayground } from '../export/onnx-exporter.js';
import type { OnnxExporter } from './onnx-model-source.js';

export const playgroundOnnxExporter: OnnxExporter = (o) => exportOnnxForPlayground(o);
