// Matching an ONNX session's inputs and outputs to the KV-cache decoder layout, and the errors when they do not.
import { describe, expect, it } from 'vitest';
import { decoderIo, decoderShape } from './onnx-decoder.js';

const layer = (l: number) => [`past_key_values.${l}.key`, `past_key_values.${l}.value`];
const out = (l: number) => [`present.${l}.key`, `present.${l}.value`];

describe('decoderIo', () => {
  it('pairs past and present per layer, with optional mask and positions', () => {
    const io = decoderIo(['input_ids', 'attention_mask', 'position_ids', ...layer(0), ...layer(1)], ['logits', ...out(1), ...out(0)], 'float32', 'm.onnx');
    expect(io.past).toEqual([layer(0), layer(1)]);
    expect(io.present).toEqual([out(0), out(1)]);
    expect(io.attentionMask).toBe('attention_mask');
    expect(io.cacheType).toBe('float32');
    expect(decoderIo(['input_ids', ...layer(0)], ['logits', ...out(0)], 'float16', 'm.onnx')).toMatchObject({ attentionMask: null, positionIds: null, cacheType: 'float16' });
  });
  it('names what is missing', () => {
    expect(() => decoderIo(['input_ids'], ['logits'], undefined, 'plain.onnx')).toThrow(/plain\.onnx has no complete past_key_values/);
    expect(() => decoderIo(['input_ids', ...layer(0)], ['logits', 'present.0.key'], undefined, 'm.onnx')).toThrow(/KV cache/);
    expect(() => decoderIo([...layer(0)], ['logits', ...out(0)], undefined, 'm.onnx')).toThrow(/no "input_ids"/);
    expect(() => decoderIo(['input_ids', ...layer(0)], ['logits', ...out(0)], 'int8', 'm.onnx')).toThrow(/int8/);
  });
});

describe('decoderShape', () => {
  it('reads GQA heads and head_dim from config.json', () => {
    expect(decoderShape({ num_attention_heads: 4, num_key_value_heads: 2, hidden_size: 128, num_hidden_layers: 4, max_position_embeddings: 2048 })).toEqual({ layers: 4, kvHeads: 2, headDim: 32, maxPositions: 2048 });
    expect(decoderShape({ num_attention_heads: 8, hidden_size: 256, num_hidden_layers: 2, head_dim: 64 }).kvHeads).toBe(8);
    expect(() => decoderShape({ hidden_size: 1 })).toThrow(/config\.json lacks/);
  });
});
