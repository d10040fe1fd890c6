// GGUF's numeric tables, from the spec (ggml docs/gguf.md) and ggml.h: metadata value types, tensor types with
// their block sizes, and llama.cpp's file-type codes. Data only.

export enum GgufValueType {
  UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7, STRING = 8, ARRAY = 9,
  UINT64 = 10, INT64 = 11, FLOAT64 = 12,
}

/** ggml_type values written in tensor infos. */
export enum GgmlType {
  F32 = 0, F16 = 1, Q4_0 = 2, Q8_0 = 8, Q4_K = 12, Q6_K = 14, BF16 = 30,
}

/** Elements per block and bytes per block (ggml's type traits). */
export const GGML_BLOCK: Readonly<Record<GgmlType, { readonly elems: number; readonly bytes: number }>> = {
  [GgmlType.F32]: { elems: 1, bytes: 4 },
  [GgmlType.F16]: { elems: 1, bytes: 2 },
  [GgmlType.BF16]: { elems: 1, bytes: 2 },
  [GgmlType.Q8_0]: { elems: 32, bytes: 34 }, // f16 d + int8[32]
  [GgmlType.Q4_0]: { elems: 32, bytes: 18 }, // f16 d + u8[16] (two 4-bit values each)
  [GgmlType.Q4_K]: { elems: 256, bytes: 144 }, // f16 d, f16 dmin, u8 scales[12], u8 qs[128]
  [GgmlType.Q6_K]: { elems: 256, bytes: 210 }, // u8 ql[128], u8 qh[64], i8 scales[16], f16 d
};

export function ggmlTypeName(t: GgmlType): string {
  return GgmlType[t];
}

/** Bytes of a row of `n` elements; n must be a whole number of blocks. */
export function rowBytes(t: GgmlType, n: number): number {
  const b = GGML_BLOCK[t];
  if (n % b.elems !== 0) throw new Error(`A row of ${n} elements is not a whole number of ${ggmlTypeName(t)} blocks (${b.elems}).`);
  return (n / b.elems) * b.bytes;
}

/** llama.cpp's `llama_ftype` (general.file_type): what most of the weights are. */
export enum LlamaFileType {
  ALL_F32 = 0, MOSTLY_F16 = 1, MOSTLY_Q4_0 = 2, MOSTLY_Q8_0 = 7, MOSTLY_Q4_K_M = 15, MOSTLY_BF16 = 32,
}

/** llama.cpp's token types (tokenizer.ggml.token_type). */
export enum GgufTokenType {
  NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6,
}

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;
