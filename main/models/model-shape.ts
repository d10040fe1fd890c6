// A decoder model's shape as the app reads it from config.json (layers, widths, heads, vocabulary), and its parameter
// count when no weights are at hand. Does not estimate memory: the engine's plan does (engine-plan.ts).

export interface ModelShape {
  readonly layers: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  readonly tieWordEmbeddings: boolean;
  /** Total parameters (from the safetensors headers, else computed from the shape). */
  readonly parameters: number;
}

/** Parameters of the shape when no weights are at hand (embeddings, attention, SwiGLU MLP, two RMSNorms per layer). */
export function parametersFromShape(s: Omit<ModelShape, 'parameters'>): number {
  const h = s.hiddenSize;
  const kv = s.kvHeads * s.headDim;
  const q = s.heads * s.headDim;
  const attn = h * q + 2 * h * kv + q * h;
  const mlp = 3 * h * s.intermediateSize;
  const embed = s.vocabSize * h * (s.tieWordEmbeddings ? 1 : 2);
  return embed + s.layers * (attn + mlp + 2 * h) + h;
}
